import * as fs from "fs";
import * as http from "http";
import * as https from "https";

/**
 * Reads a loopback registry over the distribution HTTP API, so the rehearsal checks what
 * landed in the registry itself rather than what Pulumi reports.
 */

const ACCEPT = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export interface Manifest {
    digest: string;
    mediaType: string;
    body: {
        mediaType?: string;
        manifests?: { digest: string; mediaType: string; platform?: { os: string; architecture: string } }[];
        config?: { digest: string };
        layers?: unknown[];
    };
}

/** The part of a fetch response the checks use. */
interface Response {
    status: number;
    ok: boolean;
    headers: { get(name: string): string | null };
    json(): Promise<unknown>;
}

export class RegistryApi {
    private readonly ca?: Buffer;
    private readonly authorization?: string;

    /**
     * @param host `<name>:<port>` of a registry on the loopback
     * @param opts.caFile the CA of an HTTPS registry's certificate; plain HTTP without it
     * @param opts.login its user and password (basic authentication); anonymous without it
     */
    constructor(
        readonly host: string,
        opts: { caFile?: string; login?: { username: string; password: string } } = {},
    ) {
        this.ca = opts.caFile ? fs.readFileSync(opts.caFile) : undefined;
        this.authorization = opts.login ? `Basic ${Buffer.from(`${opts.login.username}:${opts.login.password}`).toString("base64")}` : undefined;
    }

    private url(path: string): string {
        return `${this.ca ? "https" : "http"}://${this.host}/v2/${path}`;
    }

    /** GET with the registry's CA (Node's fetch cannot take one). */
    private get(url: string, headers: Record<string, string> = {}): Promise<Response> {
        const client = this.ca ? https : http;
        return new Promise((resolve, reject) => {
            const auth = this.authorization ? { authorization: this.authorization } : {};
            const req = client.get(url, { headers: { ...headers, ...auth }, ...(this.ca ? { ca: this.ca } : {}) }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const status = res.statusCode ?? 0;
                    const body = Buffer.concat(chunks).toString("utf8");
                    resolve({
                        status,
                        ok: status >= 200 && status < 300,
                        headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
                        json: async () => JSON.parse(body) as unknown,
                    });
                });
            });
            req.on("error", reject);
        });
    }

    /** The repository's tags; none when it does not exist. */
    async tags(repository: string): Promise<string[]> {
        const res = await this.get(this.url(`${repository}/tags/list?n=1000`));
        if (res.status === 404) {
            return [];
        }
        if (!res.ok) {
            throw new Error(`GET tags of ${this.host}/${repository}: HTTP ${res.status}`);
        }
        return (((await res.json()) as { tags?: string[] | null }).tags ?? []).sort();
    }

    /** The manifest a tag or digest names, with the digest the registry reports; undefined when absent. */
    async manifest(repository: string, reference: string): Promise<Manifest | undefined> {
        const res = await this.get(this.url(`${repository}/manifests/${reference}`), { accept: ACCEPT });
        if (res.status === 404) {
            return undefined;
        }
        if (!res.ok) {
            throw new Error(`GET manifest ${this.host}/${repository}:${reference}: HTTP ${res.status}`);
        }
        const digest = res.headers.get("docker-content-digest") ?? "";
        return { digest, mediaType: res.headers.get("content-type") ?? "", body: (await res.json()) as Manifest["body"] };
    }

    /** Digest a tag resolves to; undefined when the tag does not exist. */
    async digestOf(repository: string, tag: string): Promise<string | undefined> {
        return (await this.manifest(repository, tag))?.digest;
    }

    /** `os/architecture` of every image in an index (attestations left out). */
    platformsOf(index: Manifest): string[] {
        return (index.body.manifests ?? [])
            .filter((m) => m.platform && m.platform.architecture !== "unknown")
            .map((m) => `${m.platform!.os}/${m.platform!.architecture}`)
            .sort();
    }

    /** Labels of a single-platform image, from its config blob. */
    async labels(repository: string, manifestDigest: string): Promise<Record<string, string>> {
        const manifest = await this.manifest(repository, manifestDigest);
        if (!manifest?.body.config) {
            throw new Error(`${this.host}/${repository}@${manifestDigest} is not an image manifest`);
        }
        const res = await this.get(this.url(`${repository}/blobs/${manifest.body.config.digest}`));
        if (!res.ok) {
            throw new Error(`GET config blob of ${this.host}/${repository}@${manifestDigest}: HTTP ${res.status}`);
        }
        return ((await res.json()) as { config?: { Labels?: Record<string, string> } }).config?.Labels ?? {};
    }
}
