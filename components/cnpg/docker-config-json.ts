/** Registry credentials for a `kubernetes.io/dockerconfigjson` pull secret. */
export interface PullCredential {
    /** Registry address, e.g. `docker.io`, `ghcr.io`, `registry.example.com:5000`. */
    address: string;
    username: string;
    password: string;
}

/** Docker Hub's credentials live under this key in Docker's config; the kubelet matches it for docker.io images. */
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";
const DOCKER_HUB_ALIASES = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/** The `.dockerconfigjson` content the kubelet reads to pull from private registries. */
export function dockerConfigJson(credentials: readonly PullCredential[]): string {
    const auths: Record<string, { username: string; password: string; auth: string }> = {};
    for (const c of credentials) {
        const key = DOCKER_HUB_ALIASES.includes(c.address) ? DOCKER_HUB_KEY : c.address;
        auths[key] = {
            username: c.username,
            password: c.password,
            auth: Buffer.from(`${c.username}:${c.password}`).toString("base64"),
        };
    }
    return JSON.stringify({ auths });
}
