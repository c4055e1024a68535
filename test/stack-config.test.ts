import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../components/settings/config-error";
import { redact, secretForms } from "../components/config/secret-values";
import { ConfigSource, parseStackConfig, StackConfig } from "../components/config/stack-config";
import { mergeStackConfig, toRuntimeConfig } from "../plan/stack-config-files";
import { PROJECT_DIR } from "../plan/offline-plan";

const CREDS = { "docker.io": { username: "pgtrickle", password: "token" } };

/**
 * The config a stack would see, as raw strings, with overrides; `registries` secret unless
 * told otherwise, and `secretKeys` too. `literal` keys are set as written (no path).
 */
function source(stack: "dev" | "release", overrides: Record<string, unknown> = {}, secret = true, secretKeys: string[] = [], literal: Record<string, unknown> = {}): ConfigSource {
    const merged = toRuntimeConfig({ ...mergeStackConfig(PROJECT_DIR, stack, overrides).values, ...literal });
    const short = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k.replace(/^pg-trickle-infra:/, ""), v]));
    return {
        get: (key) => short[key],
        isSecret: (key) => (secret && key === "registries") || secretKeys.includes(key),
        keys: () => Object.keys(short),
    };
}
const parse = (stack: "dev" | "release", overrides: Record<string, unknown> = {}, secret = true): StackConfig =>
    parseStackConfig(source(stack, overrides, secret), "linux/amd64");
const errorOf = (stack: "dev" | "release", overrides: Record<string, unknown>, secret = true, secretKeys: string[] = []): ConfigError =>
    errorFrom(() => parseStackConfig(source(stack, overrides, secret, secretKeys), "linux/amd64"));
const errorFrom = (f: () => unknown): ConfigError => {
    try {
        f();
    } catch (e) {
        expect(ConfigError.isInstance(e)).toBe(true);
        return e as ConfigError;
    }
    throw new Error("expected a config error");
};

describe("stack config", () => {
    it("reads the release stack", () => {
        const c = parse("release", { registries: CREDS });
        expect(c.version.raw).toBe("0.67.0");
        expect(c.pgMajors).toEqual([18]);
        expect(c.platforms).toEqual(["linux/amd64", "linux/arm64"]);
        expect(c.push).toBe(true);
        expect(c.repositories).toEqual(["docker.io/pgtrickle/pg_trickle"]);
        expect(c.source).toBe("https://github.com/trickle-labs/pg-trickle.git#v0.67.0");
        expect(c.registries.map((r) => [r.address, r.username])).toEqual([["docker.io", "pgtrickle"]]);
        expect(c.smokeTest).toEqual({ enabled: true, timeoutSeconds: 120, platform: "linux/amd64" });
    });

    it("reads the dev stack: the host's platform, loaded, not pushed, no credentials needed", () => {
        const c = parseStackConfig(source("dev"), "linux/arm64");
        expect(c.platforms).toEqual(["linux/arm64"]);
        expect(c.push).toBe(false);
        expect(c.load).toBe(true);
        expect(c.registries).toEqual([]);
    });

    it("keeps registry passwords secret", async () => {
        const c = parse("release", { registries: CREDS });
        const pw = c.registries[0].password as unknown as { isSecret: Promise<boolean> };
        expect(await pw.isSecret).toBe(true);
    });

    it.each([
        // overrides, key named in the error, a fragment of the message
        [{ version: "v1.0.0" }, "version", 'drop the leading "v"'],
        [{ version: "1.0" }, "version", "not a SemVer version"],
        [{ version: "1.0.0+build.7" }, "version", "invalid Docker tag"],
        [{ version: `1.0.0-${"x".repeat(130)}` }, "version", "invalid Docker tag"],
        [{ pgMajors: [17, 18] }, "pgMajors", "17 cannot be built: the Dockerfile supports PostgreSQL 18"],
        [{ pgMajors: [] }, "pgMajors", "at least one"],
        [{ pgMajors: [18, 18] }, "pgMajors", "twice"],
        [{ pgMajors: ["18"] }, "pgMajors", "array of integers"],
        [{ platforms: ["linux/s390x"] }, "platforms", "allowed: linux/amd64, linux/arm64"],
        [{ platforms: ["linux/amd64", "linux/amd64"] }, "platforms", "twice"],
        [{ repositories: ["pgtrickle/pg_trickle"] }, "repositories", "not fully qualified"],
        [{ repositories: ["docker.io/pgtrickle/pg_trickle:latest"] }, "repositories", "carries a tag or digest"],
        [{ repositories: ["docker.io/PgTrickle/pg_trickle"] }, "repositories", "lowercase"],
        [{ repositories: [] }, "repositories", "at least one"],
        [{ push: "yes" }, "push", "true or false"],
        [{ load: true, platforms: ["linux/amd64", "linux/arm64"] }, "load", "exactly one platform"],
        [{ cache: "s3" }, "cache", "allowed: none, local, registry, gha"],
        [{ source: "https://github.com/trickle-labs/pg-trickle.git" }, "source", "has no ref"],
        [{ sourceRevision: "main" }, "sourceRevision", "git commit"],
        [{ builders: { "linux/riscv64": "x" } }, "builders", "does not build"],
        [{ builders: { "linux/arm64": "" } }, "builders", "non-empty strings"],
        [{ baseImageDigests: { "18": "latest" } }, "baseImageDigests.18", "sha256:<64 hex>"],
        [{ baseImageDigests: { "17": `sha256:${"a".repeat(64)}` } }, "baseImageDigests", "does not build"],
        [{ publishedVersions: ["1.2"] }, "publishedVersions", "not a SemVer"],
        [{ smokeTestTimeoutSeconds: 0 }, "smokeTestTimeoutSeconds", "integer >= 5"],
        [{ platforms: ["linux/arm64"] }, "smokeTest", "linux/amd64"],
        [{ push: false }, "smokeTest", "turn push on"],
        [{ platfroms: ["linux/amd64"] }, "platfroms", "not a setting of this project; did you mean platforms?"],
        [{ platforms: [] }, "platforms", 'a stack that pushes publishes every tag as an index of its platforms: name them, e.g. ["linux/amd64", "linux/arm64"]'],
        [{ source: "./does-not-exist" }, "source", `nor a directory (relative paths start at ${process.cwd()})`],
        [{ source: "./plan" }, "source", '"./plan" has no Cargo.toml'],
        [{ source: "https://github.com/trickle-labs/pg-trickle#v0.67.0" }, "source", "an http(s) URL must end in .git"],
        [{ source: "ftp://example.com/pg-trickle.git#v1" }, "source", "is not a git URL BuildKit can clone"],
        [{ source: "git://127.0.0.1:9418/pg-trickle.git" }, "source", "has no ref"],
        [{ source: "git@github.com:trickle-labs/pg-trickle.git#:docker" }, "source", "has no ref"],
    ])("rejects %j naming %s", (overrides, key, fragment) => {
        const err = errorOf("release", { registries: CREDS, ...overrides });
        expect(err.key).toBe(key);
        expect(err.message).toContain(`pg-trickle-infra:${key}`);
        expect(err.message).toContain(fragment);
    });

    describe("source", () => {
        it.each([
            "https://github.com/trickle-labs/pg-trickle.git#v0.67.0",
            "http://git.internal/pg-trickle.git#main:sub",
            "ssh://git@github.com/trickle-labs/pg-trickle.git#v0.67.0",
            "git://127.0.0.1:9418/pg-trickle.git#v1.2.3",
            "git@github.com:trickle-labs/pg-trickle.git#0123abc",
        ])("takes the git URL %s", (url) => {
            expect(parse("release", { registries: CREDS, source: url }).source).toBe(url);
        });

        it("takes a local checkout: a directory with a Cargo.toml", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgtrickle-source-"));
            try {
                fs.writeFileSync(path.join(dir, "Cargo.toml"), "");
                expect(parse("dev", { source: dir }).source).toBe(dir);
            } finally {
                fs.rmSync(dir, { recursive: true });
            }
        });
    });

    describe("a key that is not a setting", () => {
        it.each([
            // `pulumi config set cnpg.enabled false` without --path, or a dotted key in the stack file
            ["cnpg.enabled", "is not a setting: it reads as a path into cnpg; set it with pulumi config set --path 'cnpg.enabled' <value> (in the stack file: nested under pg-trickle-infra:cnpg)"],
            ['builders["linux/arm64"]', `set it with pulumi config set --path 'builders["linux/arm64"]' <value>`],
            ["pgMajor", "is not a setting of this project; did you mean pgMajors? known settings: version, pgMajors,"],
            ["colour", "is not a setting of this project; known settings: version, pgMajors,"],
        ])("%s: says what to write instead", (key, fragment) => {
            const err = errorFrom(() => parseStackConfig(source("dev", {}, true, [], { [`pg-trickle-infra:${key}`]: false }), "linux/amd64"));
            expect(err.key).toBe(key);
            expect(err.message).toContain(fragment);
        });
    });

    describe("secrets in errors", () => {
        it.each<[Record<string, unknown>, string, string]>([
            [{ version: "hunter2" }, "version", "hunter2"],
            [{ version: "v1.0.0-hunter2" }, "version", "hunter2"],
            [{ version: `1.0.0-hunter2${"x".repeat(130)}` }, "version", "hunter2"],
            [{ pgMajors: [17] }, "pgMajors", "17"],
            [{ platforms: ["linux/hunter2"] }, "platforms", "hunter2"],
            [{ repositories: ["docker.io/Hunter2/pg"] }, "repositories", "Hunter2"],
            [{ push: "hunter2" }, "push", "hunter2"],
            [{ source: "./hunter2" }, "source", "hunter2"],
            [{ sourceRevision: "hunter2" }, "sourceRevision", "hunter2"],
            [{ publishedVersions: ["1.0", "hunter2"] }, "publishedVersions", "1.0"],
            [{ cnpg: { enabled: true, context: "k", namespace: "Hunter2" } }, "cnpg", "Hunter2"],
            [{ cnpg: { enabled: true, context: "k", parameters: { work_mem: ['hun"ter2'] } } }, "cnpg", 'hun\\"ter2'],
            // valid, but quoted by a rule between settings
            [{ platforms: ["linux/arm64"] }, "platforms", "linux/arm64"],
        ])("%j set as a secret is not in the message", (overrides, secretKey, secret) => {
            const err = errorOf("release", { registries: CREDS, ...overrides }, true, [secretKey]);
            expect(err.message).toContain("[secret]");
            expect(err.message).not.toContain(secret);
            expect(err.message.startsWith("Invalid config pg-trickle-infra:")).toBe(true);
        });

        it("are shown when not secret", () => {
            expect(errorOf("release", { registries: CREDS, version: "hunter2" }).message).toContain('"hunter2" is not a SemVer version');
        });
    });

    describe("the eval cluster's image", () => {
        it("needs a registry the cluster can pull from when the stack does not push", () => {
            const err = errorOf("dev", { cnpg: { enabled: true, context: "kind-pg-trickle" } });
            expect(err.key).toBe("cnpg.imageRepository");
            expect(err.message).toContain("localhost:5001/pg_trickle");
        });

        it("needs credentials for a cluster registry that is not on loopback", () => {
            const err = errorOf("dev", { cnpg: { enabled: true, context: "k", imageRepository: "ghcr.io/me/pg_trickle" } });
            expect(err.key).toBe("registries");
            expect(err.message).toContain("no credentials for ghcr.io");
        });

        it("needs the extension image in extension mode when the stack does not publish one", () => {
            const operandImage = `ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm@sha256:${"d".repeat(64)}`;
            const err = errorOf("dev", { cnpg: { enabled: true, context: "k", mode: "extension", operandImage, imageRepository: "localhost:5001/x" } });
            expect(err.key).toBe("cnpg.extensionImage");
        });

        it("is read from the dev stack", () => {
            const c = parse("dev");
            expect(c.cnpg).toMatchObject({ enabled: true, context: "kind-pg-trickle", imageRepository: "localhost:5001/pg_trickle", mode: "full" });
            expect(parse("release", { registries: CREDS }).cnpg.enabled).toBe(false);
        });
    });

    describe("registry credentials", () => {
        it("are required for every registry a pushing stack publishes to", () => {
            const err = errorOf("release", {});
            expect(err.key).toBe("registries");
            expect(err.message).toContain("no credentials for docker.io");
            expect(err.message).toContain(`pulumi config set --secret --path 'registries["docker.io"].password'`);
        });

        it("cover the extension image's registry too", () => {
            const err = errorOf("release", { registries: CREDS, extensionRepositories: ["ghcr.io/trickle-labs/pg_trickle-ext"] });
            expect(err.message).toContain("no credentials for ghcr.io");
        });

        it("are not needed for a loopback registry", () => {
            const c = parse("release", { repositories: ["localhost:5001/pg_trickle"], extensionImage: false });
            expect(c.registries).toEqual([]);
        });

        it("must be set as a secret", () => {
            const err = errorOf("release", { registries: CREDS }, false);
            expect(err.key).toBe('registries["docker.io"].password');
            expect(err.message).toContain("plain text");
        });

        it.each([
            [{ "docker.io": { username: "u" } }, 'registries["docker.io"].password'],
            [{ "docker.io": { password: "p" } }, 'registries["docker.io"].username'],
            [{ "docker.io": { username: "u", password: "p", token: "t" } }, 'registries["docker.io"]'],
            [{ "https://docker.io": { username: "u", password: "p" } }, "registries"],
            [["docker.io"], "registries"],
        ])("reject %j naming %s, without echoing a password", (registries, key) => {
            const err = errorOf("release", { registries });
            expect(err.key).toBe(key);
            expect(err.message).not.toMatch(/"p"|token: "t"/);
        });
    });
});

describe("secretForms", () => {
    it.each<[string, string[]]>([
        ["hunter2", ["hunter2"]],
        ['["linux/arm64", 17]', ['["linux/arm64", 17]', "linux/arm64", "17"]],
        ['{"a": {"b": "x\\"y"}}', ['{"a": {"b": "x\\"y"}}', 'x"y', 'x\\"y']],
        ["", []],
    ])("%s → %j", (raw, forms) => {
        expect(secretForms(raw)).toEqual(forms);
    });
});

describe("redact", () => {
    it.each<[string, string[], string]>([
        ['"hunter2" is not SemVer', ["hunter2"], '"[secret]" is not SemVer'],
        ["tag hunter2-pg18 of hunter2", ["hunter2"], "tag [secret]-pg18 of [secret]"],
        ["a longer secret wins: hunter22", ["hunter2", "hunter22"], "a longer secret wins: [secret]"],
        ["one pass: e in secret", ["e"], "on[secret] pass: [secret] in s[secret]cr[secret]t"],
        ["regex characters: a.b*", ["a.b*"], "regex characters: [secret]"],
        ["nothing secret", [], "nothing secret"],
    ])("%s", (text, secrets, expected) => {
        expect(redact(text, secrets)).toBe(expected);
    });
});
