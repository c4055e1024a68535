import { isLoopbackRegistry, parseRepository } from "../image/image-reference";

/** Credentials for reading a registry; anonymous when absent (public repositories). */
export interface ReadCredential {
    username: string;
    password: string;
}

/** Lists the tags of a repository; none when the repository does not exist yet. */
export type TagLister = (repository: string, credential?: ReadCredential) => Promise<string[]>;

/** Docker Hub's API host: `docker.io` itself serves no registry API. */
function apiHost(registry: string): string {
    return registry === "docker.io" || registry === "index.docker.io" ? "registry-1.docker.io" : registry;
}

/**
 * The API's base URL. HTTPS, except a loopback registry that only speaks plain HTTP (kind's
 * at localhost:5001): as Docker does for such registries, HTTPS is tried first.
 */
async function apiBase(registry: string): Promise<string> {
    const https = `https://${apiHost(registry)}`;
    if (!isLoopbackRegistry(registry)) {
        return https;
    }
    try {
        await fetch(`${https}/v2/`);
        return https;
    } catch {
        return `http://${registry}`;
    }
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
    const space = header.indexOf(" ");
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const params: Record<string, string> = {};
    for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
        params[m[1].toLowerCase()] = m[2];
    }
    return { scheme, params };
}

/** The next page of a paginated list (`Link: </v2/…?last=x&n=100>; rel="next"`), resolved against the API base. */
export function nextPage(link: string | null, base: string): string | undefined {
    const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
    return m ? new URL(m[1], base).toString() : undefined;
}

const basic = (c: ReadCredential) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

/**
 * Lists a repository's tags over the registry HTTP API (distribution spec), with the
 * token handshake Docker Hub, GHCR and most registries use. Never puts a credential in
 * an error message.
 */
export const listRegistryTags: TagLister = async (repository, credential) => {
    const parsed = parseRepository(repository);
    if (typeof parsed === "string") {
        throw new Error(parsed);
    }
    const base = await apiBase(parsed.registry);
    let authorization: string | undefined;
    const tags: string[] = [];
    let url: string | undefined = `${base}/v2/${parsed.path}/tags/list?n=1000`;
    while (url) {
        let res = await fetch(url, { headers: authorization ? { authorization } : {} });
        if (res.status === 401 && !authorization) {
            authorization = await authorize(res.headers.get("www-authenticate") ?? "", parsed.path, credential, repository);
            res = await fetch(url, { headers: { authorization } });
        }
        if (res.status === 404) {
            return tags; // no such repository yet: nothing published
        }
        if (!res.ok) {
            throw new Error(`listing the tags of ${repository} failed: HTTP ${res.status} ${res.statusText}`);
        }
        const body = (await res.json()) as { tags?: string[] | null };
        tags.push(...(body.tags ?? []));
        url = nextPage(res.headers.get("link"), base);
    }
    return tags;
};

async function authorize(challenge: string, path: string, credential: ReadCredential | undefined, repository: string): Promise<string> {
    const { scheme, params } = parseChallenge(challenge);
    if (scheme === "basic" && credential) {
        return basic(credential);
    }
    if (scheme !== "bearer" || !params.realm) {
        throw new Error(`listing the tags of ${repository} needs credentials (${challenge || "no challenge"}); set them in registries`);
    }
    const tokenUrl = new URL(params.realm);
    if (params.service) {
        tokenUrl.searchParams.set("service", params.service);
    }
    tokenUrl.searchParams.set("scope", params.scope ?? `repository:${path}:pull`);
    const res = await fetch(tokenUrl, { headers: credential ? { authorization: basic(credential) } : {} });
    if (!res.ok) {
        throw new Error(`listing the tags of ${repository}: the token service ${tokenUrl.origin} answered HTTP ${res.status}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) {
        throw new Error(`listing the tags of ${repository}: the token service ${tokenUrl.origin} returned no token`);
    }
    return `Bearer ${token}`;
}
