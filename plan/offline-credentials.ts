import { isLoopbackRegistry, parseRepository } from "../components/image/image-reference";
import { MergedConfig, SECRET_PLACEHOLDER } from "./stack-config-files";

/**
 * Registry credentials are stack secrets that a reviewer's machine does not have (the
 * release workflow sets them from repository secrets right before `pulumi up`). So
 * that a pushing stack can still be planned offline, each registry it pushes to gets
 * a placeholder credential, marked secret like the real one. Returns a note per registry.
 */
export function addPlaceholderCredentials(project: string, config: MergedConfig): string[] {
    const key = `${project}:registries`;
    if (config.values[`${project}:push`] !== true || config.values[key] !== undefined) {
        return [];
    }
    const repos = [...asStrings(config.values[`${project}:repositories`])];
    if (config.values[`${project}:extensionImage`] === true) {
        repos.push(...asStrings(config.values[`${project}:extensionRepositories`]));
    }
    const registries = new Set<string>();
    for (const repo of repos) {
        const parsed = parseRepository(repo);
        if (typeof parsed !== "string" && !isLoopbackRegistry(parsed.registry)) {
            registries.add(parsed.registry);
        }
    }
    if (registries.size === 0) {
        return [];
    }
    config.values[key] = Object.fromEntries(
        [...registries].map((r) => [r, { username: "offline-plan", password: SECRET_PLACEHOLDER }]),
    );
    config.secretKeys.push(key);
    return [...registries].map((r) => `registry credentials for ${r}: placeholder (a real run reads them from the stack's secrets)`);
}

function asStrings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
