import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRegistryTags, nextPage, parseChallenge } from "../components/registry/registry-tags";

const TLS = path.join(__dirname, "fixtures", "tls");
const TLS_KEY = fs.readFileSync(path.join(TLS, "127.0.0.1.key"));
const TLS_CERT = fs.readFileSync(path.join(TLS, "127.0.0.1.pem"));

/**
 * A registry on 127.0.0.1 that behaves like Docker Hub's: the API answers 401 with a Bearer
 * challenge, a token service hands out tokens (for Basic credentials, when it wants them),
 * tags come in pages linked by `Link` headers.
 */
function fakeRegistry(opts: { requireLogin: boolean }) {
    const seen: { path: string; authorization?: string }[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        seen.push({ path: url.pathname + url.search, authorization: req.headers.authorization });
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        if (url.pathname === "/token") {
            const login = req.headers.authorization === `Basic ${Buffer.from("bot:s3cret").toString("base64")}`;
            if (opts.requireLogin && !login) {
                res.writeHead(401).end();
                return;
            }
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `tok-${url.searchParams.get("scope")}` }));
            return;
        }
        if (req.headers.authorization !== "Bearer tok-repository:acme/pg:pull" && !url.pathname.includes("missing")) {
            res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="fake",scope="repository:acme/pg:pull"` }).end();
            return;
        }
        if (url.pathname === "/v2/acme/pg/tags/list") {
            const page = url.searchParams.get("last") ? ["latest", "pg18"] : ["1.2.3-pg18", "1.3.0-pg18"];
            const headers: Record<string, string> = { "content-type": "application/json" };
            if (!url.searchParams.get("last")) {
                headers.link = '</v2/acme/pg/tags/list?last=1.3.0-pg18&n=2>; rel="next"';
            }
            res.writeHead(200, headers).end(JSON.stringify({ name: "acme/pg", tags: page }));
            return;
        }
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "NAME_UNKNOWN" }] }));
    });
    return { server, seen };
}

describe("listing a registry's tags", () => {
    const open = fakeRegistry({ requireLogin: false });
    const locked = fakeRegistry({ requireLogin: true });
    let openHost = "";
    let lockedHost = "";
    beforeAll(async () => {
        await new Promise<void>((r) => open.server.listen(0, "127.0.0.1", r));
        await new Promise<void>((r) => locked.server.listen(0, "127.0.0.1", r));
        openHost = `127.0.0.1:${(open.server.address() as AddressInfo).port}`;
        lockedHost = `127.0.0.1:${(locked.server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
        open.server.close();
        locked.server.close();
    });

    it("takes an anonymous token and follows every page", async () => {
        expect(await listRegistryTags(`${openHost}/acme/pg`)).toEqual(["1.2.3-pg18", "1.3.0-pg18", "latest", "pg18"]);
        expect(open.seen.filter((s) => s.path.startsWith("/token"))).toHaveLength(1);
        expect(open.seen.find((s) => s.path.startsWith("/token"))!.path).toBe("/token?service=fake&scope=repository%3Aacme%2Fpg%3Apull");
    });

    it("logs in to the token service with the registry's credentials", async () => {
        expect(await listRegistryTags(`${lockedHost}/acme/pg`, { username: "bot", password: "s3cret" })).toHaveLength(4);
    });

    it("says which repository failed, without the credentials", async () => {
        const err = await listRegistryTags(`${lockedHost}/acme/pg`, { username: "bot", password: "wrong-s3cret" }).catch((e: Error) => e);
        expect((err as Error).message).toBe(`listing the tags of ${lockedHost}/acme/pg: the token service http://${lockedHost} answered HTTP 401`);
        expect((err as Error).message).not.toContain("s3cret");
    });

    it("speaks HTTPS to a loopback registry that serves it, as to any other", async () => {
        const tls = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (req, res) => {
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ tags: [`via-${req.url}`] }));
        });
        await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
        const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"; // the test's certificate is self-signed
        try {
            expect(await listRegistryTags(`127.0.0.1:${(tls.address() as AddressInfo).port}/acme/pg`)).toEqual(["via-/v2/acme/pg/tags/list?n=1000"]);
        } finally {
            process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
            tls.close();
        }
    });

    it("finds nothing published in a repository that does not exist yet", async () => {
        expect(await listRegistryTags(`${openHost}/acme/missing`)).toEqual([]);
    });

    it("parses challenges and page links", () => {
        expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/postgres:pull"')).toEqual({
            scheme: "bearer",
            params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/postgres:pull" },
        });
        expect(parseChallenge('Basic realm="Registry"')).toEqual({ scheme: "basic", params: { realm: "Registry" } });
        expect(nextPage('</v2/a/tags/list?last=x&n=2>; rel="next"', "https://ghcr.io")).toBe("https://ghcr.io/v2/a/tags/list?last=x&n=2");
        expect(nextPage(null, "https://ghcr.io")).toBeUndefined();
    });
});
