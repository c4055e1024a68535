import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPlanCommand } from "../plan/plan-command";
import { loadFreshProgram } from "./support/offline-plan";
import { projectWith } from "./support/project-dir";

// The offline plan's command line. Most cases run the command in this process (a plan
// is cheap here); what only a real process shows (npm's output, exit codes, the shared
// transpile cache) runs the documented commands.

const ROOT = path.resolve(__dirname, "..");

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/** `npm run -s plan -- <args>`, run in this process. */
async function plan(args: string[], projectDir?: string): Promise<Run> {
    const out = { stdout: "", stderr: "" };
    const code = await runPlanCommand(
        args,
        { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env: {} },
        { loadProgram: loadFreshProgram, ...(projectDir ? { projectDir } : {}) },
    );
    return { code, ...out };
}

function spawn(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
        execFile(file, args, { cwd: ROOT, timeout: 30_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

/** npm as `npm test` runs it (npm_execpath), else the one on PATH. */
function npm(args: string[]): Promise<Run> {
    const execPath = process.env.npm_execpath;
    return execPath && execPath.endsWith(".js") ? spawn(process.execPath, [execPath, ...args]) : spawn("npm", args);
}

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));


const resourcesOf = (r: Run, type: string) => JSON.parse(r.stdout).resources.filter((x: { type: string }) => x.type === type);

describe("npm run -s plan", () => {
    it.each(["release", "dev"])("prints the documented JSON for %s", async (stack) => {
        const r = await plan(["--stack", stack, "--json"]);
        expect(r.code, r.stderr).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(Object.keys(json)).toEqual(["stack", "resources", "outputs"]);
        expect(json.stack).toBe(stack);
        for (const res of json.resources) {
            expect(Object.keys(res)).toEqual(["type", "name", "parent", "inputs"]);
            expect(res.parent === null || typeof res.parent === "string").toBe(true);
        }
        expect(json.outputs.imageRef).toMatch(/^docker\.io\/pgtrickle\/pg_trickle/);
    });

    it("takes --config values as JSON when they parse as JSON, and shows --secret values as [secret]", async () => {
        const r = await plan([
            "--stack", "release", "--json",
            "--config", "version=1.3.0-rc.1",
            "--config", "extensionImage=false",
            "--secret", 'registries={"docker.io":{"username":"u","password":"hunter2-token"}}',
        ]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).not.toContain("hunter2-token");
        const tags = resourcesOf(r, "docker-build:index:Index");
        expect(tags.map((t: { name: string }) => t.name)).toEqual(["docker.io/pgtrickle/pg_trickle:1.3.0-rc.1-pg18"]);
        expect(tags[0].inputs.registry).toBe("[secret]");
    });

    it("prints a readable summary without --json", async () => {
        const r = await plan(["--stack", "release"]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain("Image builds (4):");
        expect(r.stdout).toContain("platform linux/arm64, target runtime");
        expect(r.stdout).toContain("  docker.io/pgtrickle/pg_trickle:latest");
        expect(r.stdout).toContain("Smoke test pg-trickle-smoke-pg18 (every tag below waits for it):");
        expect(r.stdout).toContain("registry credentials for docker.io: placeholder");
        expect(r.stdout).toMatch(/imageRef: docker\.io\/pgtrickle\/pg_trickle@sha256:[0-9a-f]{64}/);
    });
});

describe("what the summary says happens to the tags", () => {
    it.each<[string, string[], string, string]>([
        ["release", [], "Tags pushed (8, each a multi-arch index of linux/amd64, linux/arm64, kept on destroy, exact tags first):", "docker.io/pgtrickle/pg_trickle:latest"],
        ["release", ["--config", 'platforms=["linux/amd64"]'], "Tags pushed (8, each an index of linux/amd64 only, not multi-arch, kept on destroy, exact tags first):", "docker.io/pgtrickle/pg_trickle:pg18"],
        ["dev", ["--config", 'platforms=["linux/amd64"]'], "Tags loaded into the local Docker engine (4, linux/amd64; nothing is pushed to a registry):", "docker.io/pgtrickle/pg_trickle:0.67.0-pg18"],
        ["dev", ["--config", "load=false", "--config", "cnpg.enabled=false"], "Tags: none (push and load are off: the builds only fill the build cache)", ""],
    ])("%s %j", async (stack, args, heading, tag) => {
        const r = await plan(["--stack", stack, ...args]);
        expect(r.code, r.stderr).toBe(0);
        const lines = r.stdout.split("\n");
        const at = lines.indexOf(heading);
        expect(at, r.stdout).toBeGreaterThan(0);
        if (tag) {
            expect(lines.slice(at + 1)).toContain(`  ${tag}`);
        }
        expect(r.stdout).not.toContain("Tags pushed: none");
    });
});

describe("--config paths, as pulumi config set --path takes them", () => {
    it("turn one field of cnpg off, keeping the stack's other fields", async () => {
        const off = await plan(["--stack", "dev", "--json", "--config", "cnpg.enabled=false"]);
        expect(off.code, off.stderr).toBe(0);
        expect(resourcesOf(off, "pgtrickle:index:CnpgCluster")).toEqual([]);

        const two = await plan(["--stack", "dev", "--json", "--config", "cnpg.instances=2"]);
        expect(two.code, two.stderr).toBe(0);
        const [cluster] = resourcesOf(two, "kubernetes:postgresql.cnpg.io/v1:Cluster");
        expect(cluster.inputs.spec.instances).toBe(2);
        expect(cluster.inputs.spec.imageCatalogRef).toBeDefined();
    });

    it('set a map entry with a ["quoted"] name, and a secret field next to a plain one', async () => {
        const r = await plan([
            "--stack", "release", "--json",
            "--config", 'builders["linux/arm64"]=arm64-native',
            "--config", 'registries["docker.io"].username=bot',
            "--secret", 'registries["docker.io"].password=hunter2-token',
        ]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).not.toContain("hunter2-token");
        const builds = resourcesOf(r, "docker-build:index:Image");
        expect(builds.find((b: { name: string }) => b.name === "pg-trickle-full-pg18-arm64").inputs.builder).toEqual({ name: "arm64-native" });
        expect(builds.find((b: { name: string }) => b.name === "pg-trickle-full-pg18-amd64").inputs.builder).toBeUndefined();
        expect(r.stdout).not.toContain("registry credentials for docker.io: placeholder");
    });
});

describe("a local source", () => {
    it("plans when it is a directory with a Cargo.toml", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgtrickle-source-"));
        temps.push(dir);
        fs.writeFileSync(path.join(dir, "Cargo.toml"), '[package]\nname = "pg_trickle"\n');
        const r = await plan(["--stack", "dev", "--json", "--config", `source=${dir}`]);
        expect(r.code, r.stderr).toBe(0);
        expect(resourcesOf(r, "docker-build:index:Image")[0].inputs.context.location).toBe(dir);
    });
});

describe("a user's mistake: exit 2, one line on stderr naming what to fix, nothing on stdout", () => {
    const bad = projectWith(
        {
            bad: "config:\n  pg-trickle-infra:version: [1\n  pg-trickle-infra:push: true\n",
            flat: "pg-trickle-infra:version: 1.0.0\n",
            typo: "confg:\n  pg-trickle-infra:version: 1.0.0\n",
            list: "- config\n",
        },
        temps,
    );
    it.each<[string, string[], RegExp, string?]>([
        ["a setting's value", ["--stack", "release", "--config", "pgMajors=[17]"], /^Invalid config pg-trickle-infra:pgMajors: 17 cannot be built: the Dockerfile supports PostgreSQL 18$/],
        ["an argument", ["--stack", "release", "--config", "version"], /^--config takes key=value, got "version"$/],
        ["a missing --stack", ["--json"], /^--stack is required \(known stacks: dev, release\); usage: npm run -s plan -- --stack <stack>/],
        ["an unknown argument", ["--stack", "dev", "--yaml"], /^unknown argument --yaml; usage: /],
        ["an unknown stack", ["--stack", "prod"], /^unknown stack "prod": there is no Pulumi\.prod\.yaml; known stacks: dev, release$/],
        ["a stack file that is not YAML", ["--stack", "bad", "@bad"], /^\/.*\/Pulumi\.bad\.yaml:3:3: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
        ["a setting outside config:", ["--stack", "flat", "@bad"], /Pulumi\.flat\.yaml:1: "pg-trickle-infra:version" is not a stack file key \(config, environment, secretsprovider, encryptedkey, encryptionsalt\); settings go under config:/],
        ["a misspelt stack file key", ["--stack", "typo", "@bad"], /Pulumi\.typo\.yaml:1: "confg" is not a stack file key .*; did you mean config\?$/],
        ["a stack file that is a list", ["--stack", "list", "@bad"], /Pulumi\.list\.yaml: a stack file is a mapping \(config: …\), not a list$/],
        ["a source that does not exist", ["--stack", "dev", "--config", "source=./does-not-exist"], /^Invalid config pg-trickle-infra:source: "\.\/does-not-exist" is neither a git URL \(.*\) nor a directory \(relative paths start at \/.*\)$/],
        ["a source without Cargo.toml", ["--stack", "dev", "--config", "source=./plan"], /^Invalid config pg-trickle-infra:source: "\.\/plan" has no Cargo\.toml: give the root of a pg_trickle checkout$/],
        ["an https source BuildKit reads as a tarball", ["--stack", "dev", "--config", "source=https://github.com/trickle-labs/pg-trickle#v0.67.0"], /^Invalid config pg-trickle-infra:source: .* an http\(s\) URL must end in \.git/],
        ["a pushing stack without platforms", ["--stack", "release", "--config", "platforms=[]"], /^Invalid config pg-trickle-infra:platforms: is empty, which builds only this machine's platform; a stack that pushes .*: name them, e\.g\. \["linux\/amd64", "linux\/arm64"\]$/],
        ["a misspelt setting in a path", ["--stack", "dev", "--config", "cnpgg.enabled=false"], /^Invalid config pg-trickle-infra:cnpgg: is not a setting of this project; did you mean cnpg\? known settings: /],
        ["a path through a value", ["--stack", "dev", "--config", "cnpg.enabled.x=1"], /^cannot set cnpg\.enabled\.x: cnpg\.enabled is true, not an object$/],
        ["a malformed path", ["--stack", "dev", "--config", "cnpg..enabled=false"], /^"cnpg\.\.enabled" is not a config path at "\.\.enabled"; write paths as pulumi config set --path does: /],
        // Secrets: never printed, whether the error is about them or quotes them from another rule.
        ["an invalid secret", ["--stack", "release", "--secret", "version=hunter2"], /^Invalid config pg-trickle-infra:version: "\[secret\]" is not a SemVer version such as 1\.0\.0 or 1\.3\.0-rc\.1$/, "hunter2"],
        ["a secret with a leading v", ["--stack", "release", "--secret", "version=v1.2.3-hunter2"], /^Invalid config pg-trickle-infra:version: "\[secret\]" is not a SemVer version .*\(drop the leading "v"\)$/, "hunter2"],
        ["a valid secret another rule quotes", ["--stack", "release", "--secret", 'platforms=["linux/arm64"]'], /^Invalid config pg-trickle-infra:smokeTest: runs the image on this machine's platform \(.*\), which platforms \(\[secret\]\) does not build/, "linux/arm64"],
        ["a --secret without key=", ["--stack", "release", "--secret", "hunter2"], /^--secret takes key=value \(the value is not shown\)$/, "hunter2"],
    ])("%s", async (_, args, message, secret) => {
        const r = await plan(args.filter((a) => a !== "@bad"), args.includes("@bad") ? bad : undefined);
        expect(r.stdout).toBe("");
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr.endsWith("\n") && r.stderr.indexOf("\n") === r.stderr.length - 1, r.stderr).toBe(true);
        expect(r.stderr.trimEnd()).toMatch(message);
        if (secret) {
            expect(r.stderr).not.toContain(secret);
        }
    });
});

// Real processes, started with the file and awaited by their tests at its end: the
// in-process cases run meanwhile.
let processes: { npmJson: Promise<Run>; npmError: Promise<Run>; coldCache: Promise<{ cache: string; runs: Run[] }> };
beforeAll(() => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "pgtrickle-plan-cache-"));
    temps.push(cache);
    // Each cache write lands in two halves (test/support/slow-cache-writes.cjs): an entry
    // written in place would be read half-written by the others.
    const cold = ["-r", "./test/support/slow-cache-writes.cjs", "-r", "./plan/register-ts.cjs", "plan/cli.ts", "--stack", "release", "--json"];
    processes = {
        npmJson: npm(["run", "-s", "plan", "--", "--stack", "dev", "--json"]),
        npmError: npm(["run", "-s", "plan", "--", "--stack", "prod", "--json"]),
        coldCache: Promise.all([1, 2, 3].map(() => spawn(process.execPath, cold, { OFFLINE_PLAN_CACHE_DIR: cache }))).then((runs) => ({ cache, runs })),
    };
});

describe("the documented commands, through npm", () => {
    it("`npm run -s plan -- --stack dev --json` prints exactly the JSON", async () => {
        const r = await processes.npmJson;
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe("");
        expect(JSON.parse(r.stdout).stack).toBe("dev");
    });

    it("`npm run -s plan` passes a user error through: exit 2, one line on stderr, nothing on stdout", async () => {
        expect(await processes.npmError).toEqual({ code: 2, stdout: "", stderr: 'unknown stack "prod": there is no Pulumi.prod.yaml; known stacks: dev, release\n' });
    });
});

describe("plans started at once on an empty transpile cache", () => {
    it("all succeed with the same plan, leaving whole cache entries only", async () => {
        const { cache, runs } = await processes.coldCache;
        for (const r of runs) {
            expect(r.code, r.stderr).toBe(0);
        }
        expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
        expect(JSON.parse(runs[0].stdout).stack).toBe("release");
        const entries = fs.readdirSync(cache);
        expect(entries.length).toBeGreaterThan(10);
        expect(entries.filter((f) => !f.endsWith(".js"))).toEqual([]);
    });
});
