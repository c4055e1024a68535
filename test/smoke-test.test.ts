import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { promisify } from "util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containerName, dockerRunArgs, smokeTestImageInContainer } from "../components/smoke/container-smoke-test";
import { smokeTestDiff, SmokeTestInputs } from "../components/smoke/smoke-provider";
import { IMAGE_CONF } from "./support/image-conf";
import { DOUBLE_VERSION, PostgresServer, startPostgres } from "./support/postgres";

// The SmokeTest dynamic resource: its inputs under mocks, its diff, and its serialized
// provider run in a fresh Node process (as Pulumi's dynamic provider host runs it) for
// each way the program's TypeScript gets loaded: vitest, the offline plan's esbuild
// hook, and the ts-node that `pulumi up` uses.

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");
const DIGEST = "sha256:" + "ab".repeat(32);
const IMAGE_REF = `docker.io/pgtrickle/pg_trickle@${DIGEST}`;

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const registered: Registered[] = [];
let constructMs = 0;

let server: PostgresServer;
let work: string;
/** The provider serialized in other processes, started early: each takes a Node start plus Pulumi's load. */
let serializedElsewhere: Record<"esbuild" | "ts-node", Promise<{ text: string; ms: number }>>;

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: () => ({}),
        },
        "pg-trickle-infra",
        "test",
        false,
    );
    work = fs.mkdtempSync(path.join(os.tmpdir(), "pgtrickle-smoke-provider-"));
    serializedElsewhere = { esbuild: serializeWith("esbuild"), "ts-node": serializeWith("ts-node") };
    server = await startPostgres({ extensionFiles: true, library: true, conf: IMAGE_CONF });
}, 60_000);

afterAll(async () => {
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
});

/** Constructs a SmokeTest under mocks and waits until it is registered. */
async function construct(name: string, args: Record<string, unknown>): Promise<Registered> {
    const { SmokeTest } = await import("../components/smoke/smoke-test");
    const started = Date.now();
    const st = new SmokeTest(name, args as any);
    await new Promise<void>((resolve) => st.urn.apply(() => resolve()));
    constructMs = Date.now() - started;
    return registered.find((r) => r.name === name)!;
}

describe("SmokeTest under mocks", () => {
    it("registers a dynamic resource keyed on the image digest, with the timeout defaulted", async () => {
        const r = await construct("smoke", { imageRef: IMAGE_REF, expectedVersion: "0.67.0", platform: "linux/amd64" });
        expect(r.type).toBe("pulumi-nodejs:dynamic:Resource");
        expect(r.inputs).toMatchObject({ imageRef: IMAGE_REF, expectedVersion: "0.67.0", platform: "linux/amd64", readyTimeoutSeconds: 120 });
        expect(r.inputs.__provider).toMatch(/^exports\.handler = /);
        // The first dynamic resource in a process pays Pulumi's closure serialization (measured ~0.6-0.9 s here).
        expect(constructMs).toBeLessThan(3_000);
    });

    it("passes an explicit timeout", async () => {
        const r = await construct("smoke-timeout", { imageRef: IMAGE_REF, expectedVersion: "0.67.0", platform: "linux/arm64", readyTimeoutSeconds: 30 });
        expect(r.inputs.readyTimeoutSeconds).toBe(30);
        expect(r.inputs.platform).toBe("linux/arm64");
    });
});

describe("smokeTestDiff", () => {
    const olds: SmokeTestInputs = { imageRef: IMAGE_REF, expectedVersion: "0.67.0", platform: "linux/amd64", readyTimeoutSeconds: 120 };
    it.each<[string, Partial<SmokeTestInputs>, string[]]>([
        ["nothing changed", {}, []],
        ["a new digest", { imageRef: `docker.io/pgtrickle/pg_trickle@sha256:${"cd".repeat(32)}` }, ["imageRef"]],
        ["another version", { expectedVersion: "0.68.0" }, ["expectedVersion"]],
        ["another platform", { platform: "linux/arm64" }, ["platform"]],
        ["only the timeout", { readyTimeoutSeconds: 300 }, []],
    ])("%s → replaces %j", (_, change, replaces) => {
        expect(smokeTestDiff(olds, { ...olds, ...change })).toEqual({ changes: replaces.length > 0, replaces });
    });
});

describe("container command lines", () => {
    it("names the container after the digest", () => {
        expect(containerName(IMAGE_REF)).toBe("pgtrickle-smoke-abababababab");
    });

    it.each(["docker.io/pgtrickle/pg_trickle:0.67.0", "docker.io/pgtrickle/pg_trickle", `docker.io/x:tag@sha256:${"a".repeat(63)}`])(
        "refuses an image not pinned by digest: %s",
        (ref) => {
            expect(() => containerName(ref)).toThrow(`the smoke test runs an image pinned by digest (<repository>@sha256:<64 hex>), got "${ref}"`);
        },
    );

    it("runs without network, with the password taken from the environment", () => {
        const args = dockerRunArgs("c", IMAGE_REF, "linux/arm64");
        expect(args).toEqual([
            "run",
            "--detach",
            "--name",
            "c",
            "--platform",
            "linux/arm64",
            "--network",
            "none",
            "--label",
            "io.pgtrickle.smoke-test=true",
            "--env",
            "POSTGRES_PASSWORD",
            IMAGE_REF,
        ]);
    });
});

// A stand-in for the docker CLI (no Docker engine here): it records each call, checks
// that secrets come by environment, and runs \`docker exec\` programs against the test
// server, as if that server were the one inside the container. FAKE_MODE makes
// \`run\` fail (pull denied) or the container exit at once (server crash).
const FAKE_DOCKER = `set -euo pipefail
printf '%s\\n' "$*" >> "$FAKE_DOCKER_LOG"
case "$1" in
  run)
    [[ -n "\${POSTGRES_PASSWORD:-}" ]] || { echo "fake docker: POSTGRES_PASSWORD is not in the environment" >&2; exit 125; }
    printf '%s' "$POSTGRES_PASSWORD" > "$FAKE_DOCKER_LOG.password"
    [[ $FAKE_MODE != pull-denied ]] || { echo "Error response from daemon: pull access denied" >&2; exit 125; }
    echo 0123456789abcdef ;;
  exec)
    [[ $FAKE_MODE != exited ]] || { echo "Error response from daemon: container is not running" >&2; exit 1; }
    shift
    while [[ $1 == --env ]]; do
      [[ -n "\${!2:-}" ]] || { echo "fake docker: $2 is not in the environment" >&2; exit 125; }
      shift 2
    done
    shift # container name
    prog=$1; shift
    args=()
    for a in "$@"; do args+=("\${a/dbname=postgres/dbname=$FAKE_PG_DB port=$FAKE_PG_PORT}"); done
    exec "$FAKE_PG_BIN/$prog" "\${args[@]}" ;;
  inspect) [[ $FAKE_MODE == exited ]] && echo "exited 1" || echo "running 0" ;;
  logs) echo "fake container log line" ;;
  rm) ;;
  *) echo "fake docker: unexpected command $1" >&2; exit 125 ;;
esac
`;

type FakeMode = "ok" | "pull-denied" | "exited";

/** Writes the docker stand-in into a fresh dir, bound to a fresh database of the test server. */
async function fakeDocker(mode: FakeMode = "ok") {
    const dir = fs.mkdtempSync(path.join(work, "docker-"));
    const log = path.join(dir, "docker.log");
    const vars = {
        FAKE_MODE: mode,
        FAKE_DOCKER_LOG: log,
        FAKE_PG_BIN: server.binDir,
        FAKE_PG_PORT: String(server.port),
        FAKE_PG_DB: await server.createDatabase(),
    };
    const exports = Object.entries(vars).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`);
    fs.writeFileSync(path.join(dir, "docker"), ["#!/usr/bin/env bash", ...exports, FAKE_DOCKER].join("\n"), { mode: 0o755 });
    return {
        dir,
        docker: path.join(dir, "docker"),
        calls: () => fs.readFileSync(log, "utf8").trim().split("\n"),
        password: () => (fs.existsSync(`${log}.password`) ? fs.readFileSync(`${log}.password`, "utf8") : undefined),
    };
}

/** Serializes the provider in a fresh Node process with the given TypeScript loader; returns the text and the time taken. */
async function serializeWith(loader: "esbuild" | "ts-node"): Promise<{ text: string; ms: number }> {
    const out = path.join(work, `provider-${loader}.js`);
    const script = `
        const path = require("path");
        if (process.env.LOADER === "ts-node") {
            // As Pulumi's nodejs runtime registers it (cmd/run/run.js), without type checking.
            const tsutils = require("@pulumi/pulumi/tsutils");
            const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
            const project = path.resolve("tsconfig.json");
            require(tsnodeRequire).register({
                compiler: typescriptRequire, transpileOnly: true, project, skipProject: false,
                compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true",
                    ...tsutils.loadTypeScriptCompilerOptions(project) },
            });
        }
        const pulumi = require("@pulumi/pulumi");
        let text;
        pulumi.runtime.setMocks({
            newResource: (a) => { text = a.inputs.__provider; return { id: "id", state: a.inputs }; },
            call: () => ({}),
        }, "p", "s", false).then(() => {
            const started = Date.now();
            const { SmokeTest } = require("./components/smoke/smoke-test.ts");
            const st = new SmokeTest("smoke", { imageRef: "${IMAGE_REF}", expectedVersion: "0", platform: "linux/amd64" });
            st.urn.apply(() => {
                require("fs").writeFileSync(${JSON.stringify(out)}, text);
                console.log(Date.now() - started);
            });
        });`;
    const args = loader === "esbuild" ? ["-r", "./plan/register-ts.cjs", "-e", script] : ["-e", script];
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOADER: loader } });
    return { text: fs.readFileSync(out, "utf8"), ms: Number(stdout.trim()) };
}

/**
 * Runs a serialized provider's \`create\` in a fresh Node process outside the project
 * (as the dynamic provider host does: require-from-string, then \`handler()\`), with the
 * docker stand-in first on PATH. Returns the outcome and the docker calls.
 */
async function createWith(providerText: string, inputs: SmokeTestInputs) {
    const fake = await fakeDocker();
    fs.writeFileSync(path.join(fake.dir, "provider.js"), providerText);
    const script = `
        const provider = require(${JSON.stringify(require.resolve("require-from-string"))})(
            require("fs").readFileSync("provider.js", "utf8")).handler();
        provider.create(JSON.parse(process.env.INPUTS)).then(
            (r) => console.log(JSON.stringify({ result: r })),
            (e) => console.log(JSON.stringify({ error: e.message })));`;
    const { stdout } = await run(process.execPath, ["-e", script], {
        cwd: fake.dir,
        env: { ...process.env, PATH: `${fake.dir}:${process.env.PATH}`, INPUTS: JSON.stringify(inputs) },
    });
    const outcome = JSON.parse(stdout) as { result?: { id: string; outs: Record<string, unknown> }; error?: string };
    return { ...outcome, calls: fake.calls(), password: fake.password() };
}

const inputs: SmokeTestInputs = { imageRef: IMAGE_REF, expectedVersion: DOUBLE_VERSION, platform: "linux/amd64", readyTimeoutSeconds: 10 };
const name = "pgtrickle-smoke-abababababab";

describe.each(["vitest", "esbuild", "ts-node"] as const)("the provider serialized under %s, run in a fresh process", (loader) => {
    let providerText: string;

    beforeAll(async () => {
        if (loader === "vitest") {
            providerText = (await construct(`smoke-${loader}`, { imageRef: IMAGE_REF, expectedVersion: "0", platform: "linux/amd64" })).inputs.__provider;
        } else {
            const { text, ms } = await serializedElsewhere[loader];
            providerText = text;
            expect(ms).toBeLessThan(5_000);
        }
    }, 60_000);

    it("passes the image and records what it saw; the container is started and removed", async () => {
        const { result, error, calls, password } = await createWith(providerText, inputs);
        expect(error).toBeUndefined();
        expect(result!.id).toBe(IMAGE_REF);
        expect(result!.outs).toMatchObject({ ...inputs, checkedRef: IMAGE_REF, extensionVersion: DOUBLE_VERSION });
        expect(result!.outs.postgresVersion).toMatch(/^\d+\.\d+/);

        expect(calls[0]).toBe(`rm --force --volumes ${name}`);
        expect(calls[1]).toBe(dockerRunArgs(name, IMAGE_REF, "linux/amd64").join(" "));
        expect(calls.some((c) => c.startsWith(`exec --env PGPASSWORD ${name} pg_isready -d host=127.0.0.1 user=postgres dbname=postgres`))).toBe(true);
        expect(calls.some((c) => c.startsWith(`exec --env PGPASSWORD ${name} psql `) && c.includes("CREATE EXTENSION IF NOT EXISTS pg_trickle"))).toBe(true);
        expect(calls[calls.length - 1]).toBe(`rm --force --volumes ${name}`);
        // The throwaway password went by environment only.
        expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(calls.join("\n")).not.toContain(password);
    });

    it("fails with the image, the check, what it saw and the container log; the container is still removed", async () => {
        const { result, error, calls } = await createWith(providerText, { ...inputs, expectedVersion: "9.9.9" });
        expect(result).toBeUndefined();
        expect(error).toBe(
            `smoke test of ${IMAGE_REF} on linux/amd64: check "version" failed: expected "9.9.9", saw "${DOUBLE_VERSION}"\n` +
                "container log (last 30 lines):\nfake container log line",
        );
        expect(calls[calls.length - 1]).toBe(`rm --force --volumes ${name}`);
    });
});

describe("smokeTestImageInContainer when the container does not come up", () => {
    it("reports a failed start (e.g. pull denied) and still removes the container", async () => {
        const fake = await fakeDocker("pull-denied");
        const e = await smokeTestImageInContainer({ ...inputs, docker: fake.docker }).catch((err: Error) => err);
        expect((e as Error).message).toBe(
            `smoke test of ${IMAGE_REF} on linux/amd64: could not start the container: Error response from daemon: pull access denied`,
        );
        expect(fake.calls()).toEqual([`rm --force --volumes ${name}`, dockerRunArgs(name, IMAGE_REF, "linux/amd64").join(" "), `rm --force --volumes ${name}`]);
    });

    it("stops waiting as soon as the container has exited, with its log", async () => {
        const fake = await fakeDocker("exited");
        const started = Date.now();
        const e = await smokeTestImageInContainer({ ...inputs, readyTimeoutSeconds: 60, docker: fake.docker }).catch((err: Error) => err);
        expect(Date.now() - started).toBeLessThan(10_000);
        expect((e as Error).message).toBe(
            `smoke test of ${IMAGE_REF} on linux/amd64: check "ready" failed: expected PostgreSQL to accept connections, saw the container is exited (exit code 1)\n` +
                "container log (last 30 lines):\nfake container log line",
        );
        expect(fake.calls().slice(-2)).toEqual([`logs --tail 30 ${name}`, `rm --force --volumes ${name}`]);
    });
});
