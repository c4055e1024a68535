import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { PROJECT, STRUCTURED_KEYS } from "../components/config/stack-config";

// The GitHub workflows name scripts, stacks and config keys that live elsewhere in the
// project; these tests hold them to what exists, and run the release stack's
// configuration script to show a tag push releases the tag's version.

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
/** The current major of pulumi/actions (v7: the Node 24 runtime, May 2026). */
const PULUMI_ACTIONS = "pulumi/actions@v7";

/** What the workflows may refer to. */
interface Project {
    scripts: Set<string>;
    stacks: Set<string>;
    configKeys: Set<string>;
    /** Whether a path relative to the project root exists (local actions and reusable workflows). */
    exists(rel: string): boolean;
}

function loadProject(): Project {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const pulumiYaml = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config?: Record<string, unknown> };
    const stacks = fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
    return {
        scripts: new Set(Object.keys(pkg.scripts)),
        stacks: new Set(stacks),
        // Typed settings are declared in Pulumi.yaml; structured ones (objects) cannot be and are validated in code.
        configKeys: new Set([...Object.keys(pulumiYaml.config ?? {}).map(shortKey), ...STRUCTURED_KEYS]),
        exists: (rel) => fs.existsSync(path.join(ROOT, rel)),
    };
}

function shortKey(key: string): string {
    return key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key;
}

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    uses?: string;
    with?: Record<string, unknown>;
    steps?: Step[];
}
interface Workflow {
    on: Record<string, any>;
    jobs: Record<string, Job>;
}

/**
 * Splits a shell script into simple commands (word lists): quotes removed, comments and
 * line continuations dropped, split at newlines, `;`, `|`, `||`, `&&` and braces; leading
 * keywords (if/then/…) and variable assignments are left out. Enough for the workflows'
 * scripts, not a shell.
 */
function shellCommands(script: string): string[][] {
    const commands: string[][] = [];
    let words: string[] = [];
    let word: string | undefined;
    let quote: "'" | '"' | undefined;
    const endWord = () => {
        if (word !== undefined) {
            words.push(word);
            word = undefined;
        }
    };
    const endCommand = () => {
        endWord();
        while (words.length > 0 && (/^(if|then|else|elif|do|while|until|!|\{|\()$/.test(words[0]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]))) {
            words.shift();
        }
        if (words.length > 0 && !/^(fi|done|\}|\))$/.test(words[0])) {
            commands.push(words);
        }
        words = [];
    };
    for (let i = 0; i < script.length; i++) {
        const c = script[i];
        if (quote === "'") {
            if (c === "'") quote = undefined;
            else word += c;
        } else if (quote === '"') {
            if (c === '"') quote = undefined;
            else if (c === "\\" && /["\\$`]/.test(script[i + 1])) word += script[++i];
            else word += c;
        } else if (c === "'" || c === '"') {
            quote = c;
            word ??= "";
        } else if (c === "\\" && script[i + 1] === "\n") {
            i++;
        } else if (c === "\\") {
            word = (word ?? "") + script[++i];
        } else if (c === "#" && word === undefined) {
            while (i < script.length && script[i] !== "\n") i++;
            endCommand();
        } else if (c === "&" && (script[i - 1] === ">" || script[i + 1] === ">")) {
            word = (word ?? "") + c; // a redirection (>&2, &>), not a separator
        } else if (c === "\n" || c === ";" || c === "|" || c === "&" || ((c === "{" || c === "}") && word === undefined)) {
            endCommand();
        } else if (c === " " || c === "\t") {
            endWord();
        } else {
            word = (word ?? "") + c;
        }
    }
    endCommand();
    return commands;
}

const VALUE_FLAGS = new Set(["-s", "--stack", "--type", "--config-file", "-C", "--cwd"]);

/** The stacks a command names (`-s`/`--stack` of pulumi, `--stack` of any tool, `pulumi stack select|init <name>`). */
function stacksNamed(cmd: string[]): string[] {
    const found: string[] = [];
    cmd.forEach((w, i) => {
        if (w === "--stack" || (w === "-s" && cmd[0] === "pulumi")) found.push(cmd[i + 1] ?? "");
        else if (w.startsWith("--stack=")) found.push(w.slice("--stack=".length));
    });
    if (cmd[0] === "pulumi" && cmd[1] === "stack" && (cmd[2] === "select" || cmd[2] === "init") && cmd[3] && !cmd[3].startsWith("-")) {
        found.push(cmd[3]);
    }
    return found;
}

/** The key of `pulumi config set [flags] <key> [value]`, reduced to its top-level setting. */
function configKeySet(cmd: string[]): string | undefined {
    if (cmd[0] !== "pulumi" || cmd[1] !== "config" || cmd[2] !== "set") {
        return undefined;
    }
    for (let i = 3; i < cmd.length; i++) {
        if (VALUE_FLAGS.has(cmd[i])) i++;
        else if (!cmd[i].startsWith("-")) return shortKey(cmd[i]).split(/[.[]/)[0];
    }
    return "";
}

/** A stack as the CLI and pulumi/actions take it: `name` or `org/name` (or `org/project/name`). */
const stackName = (s: string) => s.slice(s.lastIndexOf("/") + 1);

/** Problems of one workflow: each names what it refers to that does not exist or is not allowed. */
function checkWorkflow(file: string, text: string, project: Project): string[] {
    const wf = YAML.parse(text) as Workflow;
    const problems: string[] = [];
    const stack = (where: string, what: string, name: string) => {
        if (name.includes("${{") || !project.stacks.has(stackName(name))) {
            problems.push(`${where}: ${what} names stack "${name}", which has no Pulumi.${stackName(name)}.yaml`);
        }
    };
    for (const [jobId, job] of Object.entries(wf.jobs ?? {})) {
        if (job.uses) {
            problems.push(...checkReusableCall(`${file} job ${jobId}`, job, project));
        }
        (job.steps ?? []).forEach((step, n) => {
            const where = `${file} job ${jobId} step ${step.name ?? n + 1}`;
            if (step.uses) {
                if (step.uses.startsWith("./")) {
                    if (!project.exists(step.uses)) problems.push(`${where}: uses ${step.uses}, which does not exist`);
                } else if (!/^[\w.-]+\/[\w./-]+@v\d+$/.test(step.uses)) {
                    problems.push(`${where}: uses ${step.uses}, not pinned to a major version (owner/action@vN)`);
                }
                if (step.uses.startsWith("pulumi/actions@")) {
                    if (step.uses !== PULUMI_ACTIONS) problems.push(`${where}: uses ${step.uses}, not the current major ${PULUMI_ACTIONS}`);
                    const name = step.with?.["stack-name"];
                    if (typeof name === "string") stack(where, "stack-name", name);
                    const configMap = step.with?.["config-map"];
                    if (typeof configMap === "string") {
                        for (const key of Object.keys(YAML.parse(configMap) ?? {})) {
                            if (!project.configKeys.has(shortKey(key).split(/[.[]/)[0])) {
                                problems.push(`${where}: config-map sets "${key}", which is not a setting in Pulumi.yaml`);
                            }
                        }
                    }
                }
            }
            if (step.run === undefined) {
                return;
            }
            if (step.run.includes("${{ secrets.")) {
                problems.push(`${where}: puts a secret into the script text; pass it through env`);
            }
            for (const cmd of shellCommands(step.run)) {
                const script = cmd[0] === "npm" && cmd[1] === "run" ? cmd.slice(2).find((w) => !w.startsWith("-")) : undefined;
                if (script !== undefined && !project.scripts.has(script)) {
                    problems.push(`${where}: npm run ${script}, which is not a script in package.json`);
                }
                if (cmd[0] === "npm" && (cmd[1] === "test" || cmd[1] === "t") && !project.scripts.has("test")) {
                    problems.push(`${where}: npm test, but package.json has no test script`);
                }
                stacksNamed(cmd).forEach((s) => stack(where, `\`${cmd.join(" ")}\``, s));
                const key = configKeySet(cmd);
                if (key !== undefined && !project.configKeys.has(key)) {
                    problems.push(`${where}: pulumi config set ${key}, which is not a setting in Pulumi.yaml`);
                }
            }
        });
    }
    return problems;
}

function checkReusableCall(where: string, job: Job, project: Project): string[] {
    const target = job.uses!;
    if (!target.startsWith("./")) {
        return /@v\d+$/.test(target) ? [] : [`${where}: uses ${target}, not pinned to a major version`];
    }
    if (!project.exists(target)) {
        return [`${where}: uses ${target}, which does not exist`];
    }
    const called = YAML.parse(fs.readFileSync(path.join(ROOT, target), "utf8")) as Workflow;
    const inputs: Record<string, { required?: boolean }> = called.on?.workflow_call?.inputs ?? {};
    const given = Object.keys(job.with ?? {});
    return [
        ...given.filter((k) => !(k in inputs)).map((k) => `${where}: passes input "${k}", which ${target} does not declare`),
        ...Object.entries(inputs)
            .filter(([k, spec]) => spec.required && !given.includes(k))
            .map(([k]) => `${where}: does not pass the required input "${k}" of ${target}`),
    ];
}

const project = loadProject();
const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
const read = (f: string) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
const workflow = (f: string) => YAML.parse(read(f)) as Workflow;

describe("the workflows", () => {
    it("are pr.yml, release.yml, rebase.yml and the release-stack.yml they share", () => {
        expect(files.sort()).toEqual(["pr.yml", "rebase.yml", "release-stack.yml", "release.yml"]);
    });

    it.each(files)("%s names only scripts, stacks, config keys and inputs that exist, and pins actions to a major", (f) => {
        expect(checkWorkflow(f, read(f), project)).toEqual([]);
    });

    it("run the tests, the offline plan and a preview of the release stack on pull requests", () => {
        const pr = workflow("pr.yml");
        expect(Object.keys(pr.on)).toEqual(["pull_request"]);
        const runs = pr.jobs.test.steps!.map((s) => s.run).filter(Boolean);
        expect(runs).toEqual(["sudo .ci/install-postgres", "npm ci", "npm test", "npm run plan -- --stack release"]);
        expect(pr.jobs.preview).toMatchObject({ uses: "./.github/workflows/release-stack.yml", with: { command: "preview" } });
        const pulumiStep = workflow("release-stack.yml").jobs.pulumi.steps!.find((s) => s.with?.command);
        expect(pulumiStep).toMatchObject({ uses: PULUMI_ACTIONS, with: { "stack-name": "release", "comment-on-summary": true } });
    });

    it("let pulumi/actions comment a preview only where the Pulumi GitHub app cannot: a self-managed backend", () => {
        const steps = workflow("release-stack.yml").jobs.pulumi.steps!;
        const configureStep = steps.find((s) => s.name === "Configure the release stack")!;
        const pulumiStep = steps.find((s) => s.with?.command)!;
        // The output the configure step writes (see "configuring the release stack" below) decides.
        expect(pulumiStep.with!["comment-on-pr"]).toBe(`\${{ steps.${configureStep.id}.outputs.self_managed_backend == 'true' }}`);
    });

    it("use the current major of pulumi/actions", () => {
        const uses = files.flatMap((f) => Object.values(workflow(f).jobs).flatMap((j) => (j.steps ?? []).map((s) => s.uses ?? "")));
        const pulumi = uses.filter((u) => u.startsWith("pulumi/actions@"));
        expect(pulumi.length).toBeGreaterThan(0);
        expect(new Set(pulumi)).toEqual(new Set([PULUMI_ACTIONS]));
    });

    it("rebase weekly and on demand, never at the same time as a release", () => {
        const rebase = workflow("rebase.yml");
        expect(Object.keys(rebase.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        expect(rebase.jobs.rebase).toMatchObject({ uses: "./.github/workflows/release-stack.yml", with: { command: "up", rebase: true } });
        expect((rebase as any).concurrency).toEqual((workflow("release.yml") as any).concurrency);
    });

    it("release on a pushed v* tag only, with `pulumi up` of the release stack after QEMU and buildx", () => {
        const release = workflow("release.yml");
        expect(release.on).toEqual({ push: { tags: ["v*"] } });
        expect(release.jobs.release).toMatchObject({ uses: "./.github/workflows/release-stack.yml", with: { command: "up" } });
        const uses = workflow("release-stack.yml").jobs.pulumi.steps!.map((s) => s.uses ?? "run");
        const at = (prefix: string) => uses.findIndex((u) => u.startsWith(prefix));
        expect(at("docker/setup-qemu-action@")).toBeGreaterThan(-1);
        expect(at("docker/setup-qemu-action@")).toBeLessThan(uses.lastIndexOf(PULUMI_ACTIONS));
        expect(at("docker/setup-buildx-action@")).toBeLessThan(uses.lastIndexOf(PULUMI_ACTIONS));
    });
});

// ---- The release stack's configuration script, run with stand-ins for pulumi and git ----

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pgtrickle-workflows-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Evaluates the `${{ … }}` forms the workflows use, from the given contexts. */
function evaluate(value: string, contexts: Record<string, Record<string, string>>): string {
    return value.replace(/\$\{\{\s*([a-z_]+)\.([A-Za-z0-9_]+)\s*\}\}/g, (expr, ctx: string, name: string) => {
        const v = contexts[ctx]?.[name];
        if (v === undefined) throw new Error(`no value for ${expr}`);
        return v;
    });
}

const SECRETS: Record<string, string> = {
    PULUMI_ACCESS_TOKEN: "",
    PULUMI_BACKEND_URL: "s3://state-bucket",
    DOCKERHUB_USERNAME: "pgtrickle-bot",
    DOCKERHUB_TOKEN: "dckr_pat_not-a-real-token",
};

/** How a workflow calls release-stack.yml, and the contexts its `with` is evaluated in. */
interface Caller {
    file: string;
    job: string;
    contexts: Record<string, Record<string, string>>;
}

const releaseOf = (tag: string): Caller => ({ file: "release.yml", job: "release", contexts: { github: { ref_name: tag } } });
const PR: Caller = { file: "pr.yml", job: "preview", contexts: {} };
const rebaseOf = (tag = ""): Caller => ({ file: "rebase.yml", job: "rebase", contexts: { inputs: { tag } } });

/**
 * Runs the "Configure the release stack" step as a caller would: its `with` evaluated,
 * passed as release-stack.yml's inputs (their defaults for the rest). `pulumi` records its
 * arguments and stdin and prints `stackOutput` for `pulumi stack output`; `git ls-remote`
 * answers `lsRemote`.
 */
function configure(call: Caller, lsRemote: string, stackOutput = "[]", secrets: Record<string, string> = SECRETS) {
    const called = workflow("release-stack.yml");
    const declared: Record<string, { default?: unknown }> = called.on.workflow_call.inputs;
    const inputs: Record<string, string> = Object.fromEntries(Object.entries(declared).map(([k, spec]) => [k, String(spec.default ?? "")]));
    for (const [k, v] of Object.entries(workflow(call.file).jobs[call.job].with ?? {})) {
        inputs[k] = evaluate(String(v), call.contexts);
    }
    const step = called.jobs.pulumi.steps!.find((s) => s.name === "Configure the release stack")!;
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v, { secrets, inputs })]));

    const dir = fs.mkdtempSync(path.join(work, "run-"));
    const log = path.join(dir, "calls");
    fs.writeFileSync(
        path.join(dir, "pulumi"),
        `#!/usr/bin/env bash\nprintf 'ARGS %s\\n' "$*" >> "${log}"\n` +
            `if [ "$1 $2" = "stack output" ]; then printf '%s' ${JSON.stringify(stackOutput)}; exit 0; fi\n` +
            `input=$(cat)\n[ -z "$input" ] || printf 'STDIN %s\\n' "$input" >> "${log}"\n`,
        { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, "git"), `#!/usr/bin/env bash\nprintf 'ARGS git %s\\n' "$*" >> "${log}"\nprintf '%b' ${JSON.stringify(lsRemote)}\n`, { mode: 0o755 });
    // As GitHub runs a `run:` script: bash --noprofile --norc -eo pipefail.
    const outputFile = path.join(dir, "github-output");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
        env: { PATH: `${dir}:/usr/bin:/bin`, GITHUB_OUTPUT: outputFile, ...env },
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    const outputs = fs.existsSync(outputFile)
        ? Object.fromEntries(fs.readFileSync(outputFile, "utf8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]))
        : {};
    return { status: r.status, stderr: r.stderr, calls, outputs };
}

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const TAG_OBJECT = "fedcba9876543210fedcba9876543210fedcba98";

describe("configuring the release stack", () => {
    it("sets the version from the pushed tag, the source revision from pg_trickle's tag, and the credentials as secrets", () => {
        const { status, stderr, calls } = configure(releaseOf("v1.2.3"), `${TAG_OBJECT}\trefs/tags/v1.2.3\n${COMMIT}\trefs/tags/v1.2.3^{}\n`);
        expect(stderr).toBe("");
        expect(status).toBe(0);
        expect(calls).toEqual([
            "ARGS login s3://state-bucket",
            "ARGS stack select release",
            `ARGS config set --path registries["docker.io"].username`,
            "STDIN pgtrickle-bot",
            `ARGS config set --secret --path registries["docker.io"].password`,
            "STDIN dckr_pat_not-a-real-token",
            "ARGS config set version 1.2.3",
            "ARGS git ls-remote --tags https://github.com/trickle-labs/pg-trickle.git refs/tags/v1.2.3 refs/tags/v1.2.3^{}",
            `ARGS config set sourceRevision ${COMMIT}`,
        ]);
        // The token reaches pulumi on stdin only.
        expect(calls.filter((c) => c.startsWith("ARGS")).join("\n")).not.toContain(SECRETS.DOCKERHUB_TOKEN);
    });

    it("takes a lightweight tag's commit as it is", () => {
        const { status, calls } = configure(releaseOf("v0.67.0"), `${COMMIT}\trefs/tags/v0.67.0\n`);
        expect(status).toBe(0);
        expect(calls).toContain(`ARGS config set sourceRevision ${COMMIT}`);
        expect(calls).toContain("ARGS config set version 0.67.0");
    });

    it("fails before any update when pg_trickle has no such tag", () => {
        const { status, stderr, calls } = configure(releaseOf("v9.9.9"), "");
        expect(status).toBe(1);
        expect(stderr).toBe("pg_trickle has no tag v9.9.9\n");
        expect(calls.some((c) => c.includes("sourceRevision"))).toBe(false);
    });

    it("rebases the newest stable version the stack published, on schedule or by hand", () => {
        const { status, stderr, calls } = configure(rebaseOf(), `${COMMIT}\trefs/tags/v1.3.0\n`, JSON.stringify(["1.2.4", "1.3.0", "1.4.0-rc.1"]));
        expect(stderr).toBe("");
        expect(status).toBe(0);
        expect(calls).toContain("ARGS config set rebase true");
        expect(calls).toContain("ARGS stack output publishedVersions --json");
        expect(calls).toContain("ARGS config set version 1.3.0");
        expect(calls).toContain(`ARGS config set sourceRevision ${COMMIT}`);
    });

    it("rebases the version asked for", () => {
        const { status, calls } = configure(rebaseOf("v1.2.4"), `${COMMIT}\trefs/tags/v1.2.4\n`);
        expect(status).toBe(0);
        expect(calls).toContain("ARGS config set rebase true");
        expect(calls).toContain("ARGS config set version 1.2.4");
        expect(calls.some((c) => c.includes("stack output"))).toBe(false);
    });

    it("refuses to rebase a stack that published nothing", () => {
        const { status, stderr } = configure(rebaseOf(), "", "[]");
        expect(status).toBe(1);
        expect(stderr).toBe("the release stack has published no stable version to rebase\n");
    });

    it("never rebases on a release or a preview", () => {
        expect(configure(releaseOf("v1.2.3"), `${COMMIT}\trefs/tags/v1.2.3\n`).calls.some((c) => c.includes("rebase"))).toBe(false);
        expect(configure(PR, "").calls.some((c) => c.includes("rebase"))).toBe(false);
    });

    it.each<[string, Record<string, string>, string, string]>([
        ["Pulumi Cloud: the Pulumi GitHub app comments", { PULUMI_ACCESS_TOKEN: "pul-not-a-real-token", PULUMI_BACKEND_URL: "" }, "ARGS login", "false"],
        ["a self-managed backend: pulumi/actions comments", { PULUMI_ACCESS_TOKEN: "", PULUMI_BACKEND_URL: "s3://state-bucket" }, "ARGS login s3://state-bucket", "true"],
    ])("tells a PR preview who comments it, by backend: %s", (_, backend, login, selfManaged) => {
        const { status, stderr, calls, outputs } = configure(PR, "", "[]", { ...SECRETS, ...backend });
        expect(stderr).toBe("");
        expect(status).toBe(0);
        expect(calls[0]).toBe(login);
        expect(outputs).toEqual({ self_managed_backend: selfManaged });
    });

    it("keeps Pulumi.release.yaml's version for a pull-request preview", () => {
        const { status, calls } = configure(PR, "");
        expect(status).toBe(0);
        expect(calls.some((c) => c.includes("config set version"))).toBe(false);
        expect(calls).toContain(`ARGS config set --secret --path registries["docker.io"].password`);
    });
});

// ---- The checker itself, on workflows that name what does not exist ----

describe("checkWorkflow", () => {
    const check = (yaml: string) => checkWorkflow("bad.yml", yaml, project);
    const job = (steps: string) => `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;

    it("accepts what exists", () => {
        expect(
            check(
                job(`      - uses: actions/checkout@v4
      - run: |
          npm ci && npm test
          npm run plan -- --stack=release
          npm run -s plan -- --stack release --json
          pulumi config set -s dev --path 'cnpg.enabled' true
          pulumi config set pg-trickle-infra:smokeTest true
          pulumi preview --stack org/dev
      - uses: pulumi/actions@v7
        with:
          stack-name: org/release
          config-map: "{version: {value: 1.0.0, secret: false}}"
`),
            ),
        ).toEqual([]);
    });

    it.each<[string, string, string]>([
        ["a missing npm script", "      - run: npm run deploy\n", "bad.yml job j step 1: npm run deploy, which is not a script in package.json"],
        ["a missing npm script after a flag", "      - run: npm run -s deploy\n", "bad.yml job j step 1: npm run deploy, which is not a script in package.json"],
        ["an old pulumi/actions", "      - uses: pulumi/actions@v6\n", `bad.yml job j step 1: uses pulumi/actions@v6, not the current major ${PULUMI_ACTIONS}`],
        ["a missing stack (-s)", "      - run: pulumi up -s prod --yes\n", 'bad.yml job j step 1: `pulumi up -s prod --yes` names stack "prod", which has no Pulumi.prod.yaml'],
        [
            "a missing stack (plan --stack)",
            "      - run: npm run plan -- --stack staging\n",
            'bad.yml job j step 1: `npm run plan -- --stack staging` names stack "staging", which has no Pulumi.staging.yaml',
        ],
        [
            "a missing stack (stack select)",
            "      - run: pulumi stack select prod\n",
            'bad.yml job j step 1: `pulumi stack select prod` names stack "prod", which has no Pulumi.prod.yaml',
        ],
        [
            "a missing stack (stack-name)",
            "      - uses: pulumi/actions@v7\n        with:\n          stack-name: org/prod\n",
            'bad.yml job j step 1: stack-name names stack "org/prod", which has no Pulumi.prod.yaml',
        ],
        ["an unknown config key", "      - run: pulumi config set --secret colour blue\n", "bad.yml job j step 1: pulumi config set colour, which is not a setting in Pulumi.yaml"],
        [
            "an unknown path key",
            "      - run: printf x | pulumi config set --path 'registry[\"docker.io\"].password'\n",
            "bad.yml job j step 1: pulumi config set registry, which is not a setting in Pulumi.yaml",
        ],
        [
            "an unknown config-map key",
            '      - uses: pulumi/actions@v7\n        with:\n          config-map: "{versoin: {value: 1.0.0}}"\n',
            'bad.yml job j step 1: config-map sets "versoin", which is not a setting in Pulumi.yaml',
        ],
        ["an action on a branch", "      - uses: actions/checkout@main\n", "bad.yml job j step 1: uses actions/checkout@main, not pinned to a major version (owner/action@vN)"],
        ["an action without a version", "      - uses: docker/setup-qemu-action\n", "bad.yml job j step 1: uses docker/setup-qemu-action, not pinned to a major version (owner/action@vN)"],
        [
            "a secret in a script",
            "      - run: pulumi config set --secret x ${{ secrets.TOKEN }}\n",
            "bad.yml job j step 1: puts a secret into the script text; pass it through env",
        ],
    ])("rejects %s", (_, steps, problem) => {
        expect(check(job(steps))).toContain(problem);
    });

    it("rejects a call of a reusable workflow with an unknown or a missing input", () => {
        const problems = check("on: push\njobs:\n  r:\n    uses: ./.github/workflows/release-stack.yml\n    with:\n      comand: up\n");
        expect(problems).toEqual([
            'bad.yml job r: passes input "comand", which ./.github/workflows/release-stack.yml does not declare',
            'bad.yml job r: does not pass the required input "command" of ./.github/workflows/release-stack.yml',
        ]);
        expect(check("on: push\njobs:\n  r:\n    uses: ./.github/workflows/nope.yml\n")).toEqual([
            "bad.yml job r: uses ./.github/workflows/nope.yml, which does not exist",
        ]);
    });
});

describe("shellCommands", () => {
    it.each<[string, string[][]]>([
        ["npm ci && npm test", [["npm", "ci"], ["npm", "test"]]],
        ["printf '%s' \"$X\" | pulumi config set --path 'a[\"b\"].c'", [["printf", "%s", "$X"], ["pulumi", "config", "set", "--path", 'a["b"].c']]],
        ["# a comment\nv=\"${T#v}\"\nif [ -n \"$v\" ]; then\n  pulumi up \\\n    -s dev\nfi", [["[", "-n", "$v", "]"], ["pulumi", "up", "-s", "dev"]]],
        ["test -n \"$r\" || { echo \"no\" >&2; exit 1; }", [["test", "-n", "$r"], ["echo", "no", ">&2"], ["exit", "1"]]],
    ])("%j", (script, commands) => {
        expect(shellCommands(script)).toEqual(commands);
    });
});
