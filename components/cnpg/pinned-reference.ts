import { ConfigError } from "../config/config-error";
import { isDigest, parseRepository } from "../image/image-reference";

/** An image reference pinned by digest: `registry/path[:tag]@sha256:<64 hex>`. */
export interface PinnedReference {
    /** Fully qualified repository, without tag. */
    repository: string;
    /** `sha256:<64 hex>`. */
    digest: string;
}

/**
 * Parses a digest-pinned reference. A tag before the digest is allowed (it documents
 * what was pinned, e.g. `:18-minimal-bookworm`); the digest alone decides what runs.
 * Returns an error text or the parts.
 */
export function parsePinnedReference(text: string): PinnedReference | string {
    const at = text.indexOf("@");
    if (at < 0 || !isDigest(text.slice(at + 1))) {
        return `"${text}" is not pinned by digest; use <registry>/<path>[:<tag>]@sha256:<64 hex>`;
    }
    const name = text.slice(0, at);
    const lastSlash = name.lastIndexOf("/");
    const colon = name.indexOf(":", lastSlash + 1);
    const repository = colon < 0 ? name : name.slice(0, colon);
    const parsed = parseRepository(repository);
    if (typeof parsed === "string") {
        return parsed;
    }
    return { repository, digest: text.slice(at + 1) };
}

/**
 * The reference itself when pinned by digest, so a moving tag never reaches the
 * cluster; otherwise a ConfigError naming the setting that fixes it.
 */
export function requirePinnedReference(ref: string, key: string, remedy: string): string {
    if (typeof parsePinnedReference(ref) === "string") {
        throw new ConfigError(key, `the cluster runs images pinned by digest, got "${ref}"; ${remedy}`);
    }
    return ref;
}
