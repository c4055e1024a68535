/**
 * Docker reference grammar (distribution/reference), the parts this project needs.
 */

const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const HOST = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?";
const REPOSITORY_RE = new RegExp(`^(${HOST})/(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export interface Repository {
    /** Registry host (with port), e.g. `docker.io`, `ghcr.io`, `localhost:5001`. */
    registry: string;
    /** Path inside the registry, e.g. `pgtrickle/pg_trickle`. */
    path: string;
    /** `registry/path`. */
    name: string;
}

/**
 * Parses a fully qualified repository (`docker.io/pgtrickle/pg_trickle`): the registry
 * host must be explicit (contain a dot or a port, or be `localhost`), because
 * docker-build pushes only fully qualified names. Returns an error text or the parts.
 */
export function parseRepository(text: string): Repository | string {
    if (/[@]/.test(text) || /:[^/]*$/.test(text.slice(text.indexOf("/") + 1))) {
        return `"${text}" carries a tag or digest; give the repository only (e.g. docker.io/pgtrickle/pg_trickle)`;
    }
    const m = REPOSITORY_RE.exec(text);
    if (!m) {
        return `"${text}" is not a repository name (lowercase path components, e.g. docker.io/pgtrickle/pg_trickle)`;
    }
    const registry = m[1];
    if (!(registry.includes(".") || registry.includes(":") || registry === "localhost")) {
        return `"${text}" is not fully qualified: start it with the registry host (e.g. docker.io/${text})`;
    }
    return { registry, path: m[2], name: text };
}

/** The registry host of a repository already validated by parseRepository. */
export function registryOf(repository: string): string {
    const parsed = parseRepository(repository);
    if (typeof parsed === "string") {
        throw new Error(parsed);
    }
    return parsed.registry;
}

export function isValidTag(tag: string): boolean {
    return TAG_RE.test(tag);
}

export function isDigest(text: string): boolean {
    return DIGEST_RE.test(text);
}

/** A registry on the loopback interface (a local dev registry), reached over plain HTTP. */
export function isLoopbackRegistry(registry: string): boolean {
    const host = registry.replace(/:[0-9]+$/, "");
    return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

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

/** `repo@sha256:…`: the reference a consumer pins to. */
export function pinnedReference(repository: string, digest: string): string {
    return `${repository}@${digest}`;
}
