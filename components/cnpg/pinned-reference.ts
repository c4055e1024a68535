import { ConfigError } from "../settings/config-error";
import { parsePinnedReference } from "../image/image-reference";

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
