import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerfileParser, Instruction } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { DOCKERFILE_TARGETS, FILES_CONTEXT } from "../components/image/dockerfile-layout";
import { SUPPORTED_PG_MAJORS } from "../components/image/pg-majors";
import { IMAGE_SETTINGS } from "../components/image/recommended-settings";
import facts from "./data/pg_trickle/facts.json";
import gucs from "./data/pg_trickle/gucs.json";
import { checkBuildAgainstDockerfile, parseDockerfile } from "./support/dockerfile-contract";
import { confSettings, IMAGE_CONF as CONF } from "./support/image-conf";

const ROOT = path.resolve(__dirname, "..");
const DOCKERFILE = fs.readFileSync(path.join(ROOT, "docker", "Dockerfile"), "utf8");
const FILES_DIR = path.join(ROOT, "docker", "files");
const INITDB_SQL = fs.readFileSync(path.join(FILES_DIR, "initdb-pg_trickle.sql"), "utf8");

describe("checkBuildAgainstDockerfile", () => {
    const dockerfile = [
        "ARG BASE=debian:bookworm",
        "ARG VERSION",
        "ARG UNUSED=1",
        "FROM ${BASE} AS Build",
        "ARG VERSION",
        "RUN --mount=type=bind,from=tools,target=/t make",
        "FROM build AS app",
        "COPY --from=assets conf /etc/conf",
        "FROM scratch AS docs",
        "ARG DOCS_ONLY",
        "FROM scratch AS lone",
        "COPY --from=0 /out /out",
    ].join("\n");

    const cases: { name: string; build: Parameters<typeof checkBuildAgainstDockerfile>[1]; problems: string[] }[] = [
        {
            name: "a build that matches the Dockerfile",
            build: { target: "app", buildArgs: { BASE: "registry.example/debian:12", VERSION: "1.0.0" }, namedContexts: ["tools", "assets"] },
            problems: [],
        },
        {
            name: "no target builds the last stage",
            build: { buildArgs: { VERSION: "1" }, namedContexts: ["tools"] },
            problems: [],
        },
        {
            name: "stage names are case-insensitive",
            build: { target: "BUILD", namedContexts: ["tools"] },
            problems: [],
        },
        {
            name: "proxy and BuildKit args need no ARG",
            build: { target: "build", buildArgs: { HTTPS_PROXY: "http://proxy:3128", BUILDKIT_INLINE_CACHE: "1" }, namedContexts: ["tools"] },
            problems: [],
        },
        {
            name: "a build arg the Dockerfile never declares",
            build: { target: "app", buildArgs: { PG_MAJOR: "18" }, namedContexts: ["tools", "assets"] },
            problems: ['build arg "PG_MAJOR" is passed but the Dockerfile declares no ARG PG_MAJOR'],
        },
        {
            name: "a global ARG that the target's stages neither re-declare nor use in FROM",
            build: { target: "app", buildArgs: { UNUSED: "2" }, namedContexts: ["tools", "assets"] },
            problems: ['build arg "UNUSED" is passed but no stage of target "app" declares ARG UNUSED or uses it in FROM, so it has no effect'],
        },
        {
            name: "a stage ARG of a stage the target does not build",
            build: { target: "app", buildArgs: { DOCS_ONLY: "1" }, namedContexts: ["tools", "assets"] },
            problems: ['build arg "DOCS_ONLY" is passed but no stage of target "app" declares ARG DOCS_ONLY or uses it in FROM, so it has no effect'],
        },
        {
            name: "a stage reached through COPY --from=<index> is built by the target",
            build: { target: "lone", buildArgs: { VERSION: "1" } },
            problems: ['named context "tools" is used by stage "build" of target "lone" but the build does not provide it'],
        },
        {
            name: "a target that does not exist",
            build: { target: "runtime", namedContexts: ["tools", "assets"] },
            problems: ['target "runtime" does not exist in the Dockerfile (stages: build, app, docs, lone)'],
        },
        {
            name: "a named context of a stage the target builds (RUN --mount from=) that is not provided",
            build: { target: "app", namedContexts: ["assets"] },
            problems: ['named context "tools" is used by stage "build" of target "app" but the build does not provide it'],
        },
        {
            name: "a named context of the target stage (COPY --from=) that is not provided",
            build: { target: "app", namedContexts: ["tools"] },
            problems: ['named context "assets" is used by stage "app" of target "app" but the build does not provide it'],
        },
        {
            name: "a named context nothing in the Dockerfile uses",
            build: { target: "app", namedContexts: ["tools", "assets", "extras"] },
            problems: ['named context "extras" is provided but the Dockerfile never uses it'],
        },
        {
            name: "a provided context that only another target uses is fine",
            build: { target: "build", namedContexts: ["tools", "assets"] },
            problems: [],
        },
        {
            name: "a FROM variable that expands to a bare name is a named context",
            build: { target: "build", buildArgs: { BASE: "base" }, namedContexts: ["tools"] },
            problems: ['named context "base" is used by stage "build" of target "build" but the build does not provide it'],
        },
        {
            name: "a FROM variable whose value is not known yet is not classified",
            build: { target: "build", buildArgs: { BASE: undefined }, namedContexts: ["tools"] },
            problems: [],
        },
    ];

    it.each(cases)("$name", ({ build, problems }) => {
        expect(checkBuildAgainstDockerfile(dockerfile, build)).toEqual(problems);
    });

    it("reports every problem of a build at once", () => {
        expect(checkBuildAgainstDockerfile(dockerfile, { target: "app", buildArgs: { NOPE: "1" }, namedContexts: ["extras"] })).toEqual([
            'build arg "NOPE" is passed but the Dockerfile declares no ARG NOPE',
            'named context "tools" is used by stage "build" of target "app" but the build does not provide it',
            'named context "assets" is used by stage "app" of target "app" but the build does not provide it',
            'named context "extras" is provided but the Dockerfile never uses it',
        ]);
    });

    it("expands ${VAR:-default} and ${VAR:+alt} like the Dockerfile frontend", () => {
        const df = "ARG A\nFROM ${A:-ctx-a} AS one\nFROM ${A:+ctx-b} AS two\n";
        expect(checkBuildAgainstDockerfile(df, { target: "one", namedContexts: ["ctx-a", "ctx-b"] })).toEqual([
            'named context "ctx-b" is provided but the Dockerfile never uses it',
        ]);
        expect(checkBuildAgainstDockerfile(df, { target: "two", buildArgs: { A: "x" }, namedContexts: ["ctx-b"] })).toEqual([]);
    });
});

/** Instructions of one stage of the real Dockerfile (FROM included). */
function stageInstructions(stage: string): Instruction[] {
    const stages: Instruction[][] = [];
    for (const instruction of DockerfileParser.parse(DOCKERFILE).getInstructions()) {
        if (instruction.getKeyword() === "FROM") {
            stages.push([]);
        }
        stages[stages.length - 1]?.push(instruction);
    }
    const found = stages.find((s) => /\bAS\s+(\S+)\s*$/i.exec(argsOf(s[0]))?.[1] === stage);
    if (!found) {
        throw new Error(`docker/Dockerfile has no stage ${stage}`);
    }
    return found;
}

/** What follows the keyword, flags included, with line continuations folded into spaces. */
function argsOf(instruction: Instruction): string {
    const { start, end } = instruction.getRange();
    const lines = DOCKERFILE.split("\n").slice(start.line, end.line + 1);
    return lines
        .join("\n")
        .replace(/\\\n\s*/g, " ")
        .slice(start.character)
        .replace(/^\S+\s+/, "")
        .trim();
}

function indexOfInstruction(instructions: Instruction[], keyword: string, pattern: RegExp): number {
    return instructions.findIndex((i) => i.getKeyword() === keyword && pattern.test(argsOf(i)));
}

describe("docker/Dockerfile", () => {
    const contract = parseDockerfile(DOCKERFILE);
    const stage = (name: string) => contract.stages.find((s) => s.name === name)!;

    it("has the targets the program builds", () => {
        const names = contract.stages.map((s) => s.name);
        expect(names).toEqual(expect.arrayContaining(Object.values(DOCKERFILE_TARGETS)));
    });

    it("starts builder and runtime from ${BASE_IMAGE}, defaulting to bookworm, so the pinned base reaches both", () => {
        expect(contract.globalArgs.get("BASE_IMAGE")).toBe("postgres:18-bookworm");
        const rootOf = (name: string): string => {
            const from = stage(name).from;
            return contract.stages.some((s) => s.name === from) ? rootOf(from) : from;
        };
        expect(rootOf("builder")).toBe("${BASE_IMAGE}");
        expect(stage("runtime").from).toBe("${BASE_IMAGE}");
    });

    it(`builds exactly the PostgreSQL majors pg_trickle ${facts.pgTrickleVersion}'s Cargo features cover (${facts.pgFeatures.join(", ")})`, () => {
        expect(SUPPORTED_PG_MAJORS.map((m) => `pg${m}`)).toEqual(facts.pgFeatures);
    });

    it(`pins the Rust toolchain to a release that builds pg_trickle's edition ${facts.edition} (Rust ${facts.minimumRust}+)`, () => {
        const toolchain = contract.globalArgs.get("RUST_TOOLCHAIN") ?? "";
        expect(toolchain).toMatch(/^\d+\.\d+\.\d+$/);
        const [major, minor] = toolchain.split(".").map(Number);
        const [minMajor, minMinor] = facts.minimumRust.split(".").map(Number);
        expect(major > minMajor || (major === minMajor && minor >= minMinor), toolchain).toBe(true);
        expect(DOCKERFILE).toContain('--default-toolchain "${RUST_TOOLCHAIN}"');
    });

    it("installs the cargo-pgrx of the pgrx version the source's Cargo.lock pins, read before anything compiles", () => {
        expect(contract.globalArgs.has("PGRX_VERSION")).toBe(false);
        const planner = stageInstructions("planner");
        const read = indexOfInstruction(planner, "RUN", /Cargo\.lock .*> pgrx-version$/);
        expect(read).toBeGreaterThan(indexOfInstruction(planner, "COPY", /^\.\s+\.$/));
        expect(read).toBeLessThan(indexOfInstruction(planner, "RUN", /cargo chef prepare/));
        const builder = stageInstructions("builder");
        const copy = indexOfInstruction(builder, "COPY", /^--from=planner \/build\/pgrx-version \/usr\/local\/share\/pgrx-version$/);
        const install = indexOfInstruction(builder, "RUN", /cargo install --locked cargo-pgrx --version "\$\(cat \/usr\/local\/share\/pgrx-version\)"/);
        expect(copy).toBeGreaterThan(0);
        expect(install).toBeGreaterThan(copy);
        expect(DOCKERFILE.match(/cargo install [^\n]*cargo-pgrx/g), "cargo-pgrx is installed once, in the builder").toHaveLength(1);
    });

    it("builds exactly the versions of Cargo.lock: the tools, the dependencies and the extension", () => {
        const runs = DOCKERFILE.replace(/\\\n\s*/g, " ");
        expect(runs).toMatch(/cargo install --locked cargo-chef /);
        expect(runs).toMatch(/cargo install --locked cargo-pgrx /);
        expect(runs).toMatch(/cargo chef cook --release --locked /);
        expect(runs).toMatch(/PGRX_BUILD_FLAGS=--locked cargo pgrx package /);
    });

    it("gives pgrx the versioned pg_config of PG_MAJOR for init and package", () => {
        const pgConfig = '"/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"';
        expect(DOCKERFILE).toContain(`cargo pgrx init "--pg\${PG_MAJOR}" ${pgConfig}`);
        expect(DOCKERFILE).toContain(`cargo pgrx package --pg-config ${pgConfig}`);
    });

    it("builds the dependencies in a layer before the source is copied into the builder", () => {
        const builder = stageInstructions("builder");
        const recipe = indexOfInstruction(builder, "COPY", /--from=planner\s+\S*recipe\.json/);
        const cook = indexOfInstruction(builder, "RUN", /cargo chef cook --release/);
        const source = indexOfInstruction(builder, "COPY", /^\.\s+\.$/);
        const pkg = indexOfInstruction(builder, "RUN", /cargo pgrx package/);
        expect([recipe, cook, source, pkg].every((i) => i > 0)).toBe(true);
        expect(recipe).toBeLessThan(cook);
        expect(cook).toBeLessThan(source);
        expect(source).toBeLessThan(pkg);
        // Nothing from the source tree reaches the builder before the cook layer, but the recipe and the pgrx version.
        const copiedBeforeCook = builder.slice(0, cook).filter((i) => i.getKeyword() === "COPY").map(argsOf);
        expect(copiedBeforeCook).toEqual(["--from=planner /build/pgrx-version /usr/local/share/pgrx-version", "--from=planner /build/recipe.json recipe.json"]);
    });

    it("takes the package output from where cargo pgrx package writes it", () => {
        const text = stageInstructions("builder").map(argsOf).find((a) => /cargo pgrx package/.test(a))!;
        expect(text).toContain('pkg="target/release/pg_trickle-pg${PG_MAJOR}"');
        expect(text).toContain('"${pkg}/usr/lib/postgresql/${PG_MAJOR}/lib/pg_trickle.so"');
        expect(text).toContain('"${pkg}/usr/share/postgresql/${PG_MAJOR}/extension/."');
    });

    it("installs the extension into the runtime's PostgreSQL directories and appends the defaults to the conf sample", () => {
        const runtime = stageInstructions("runtime").map(argsOf);
        expect(runtime).toContain("--from=builder /out/lib/ /usr/lib/postgresql/${PG_MAJOR}/lib/");
        expect(runtime).toContain("--from=builder /out/extension/ /usr/share/postgresql/${PG_MAJOR}/extension/");
        expect(runtime.some((a) => /source=pg_trickle\.conf/.test(a) && />> \/usr\/share\/postgresql\/postgresql\.conf\.sample$/.test(a))).toBe(true);
        expect(runtime).toContain(`--from=${FILES_CONTEXT} initdb-pg_trickle.sql /docker-entrypoint-initdb.d/00-pg_trickle.sql`);
    });

    it("keeps the base image's entrypoint, command and user", () => {
        const keywords = stageInstructions("runtime").map((i) => i.getKeyword());
        for (const kept of ["ENTRYPOINT", "CMD", "USER", "SHELL"]) {
            expect(keywords).not.toContain(kept);
        }
    });

    it("checks health with pg_isready as the configured user", () => {
        const checks = stageInstructions("runtime").filter((i) => i.getKeyword() === "HEALTHCHECK");
        expect(checks).toHaveLength(1);
        const text = argsOf(checks[0]);
        expect(text).toMatch(/CMD pg_isready /);
        expect(text).toContain('-U "${POSTGRES_USER:-postgres}"');
        for (const flag of ["--interval=", "--timeout=", "--start-period=", "--retries="]) {
            expect(text).toContain(flag);
        }
    });

    it("labels both images with the version build arg", () => {
        for (const name of Object.values(DOCKERFILE_TARGETS)) {
            expect(stage(name).args).toContain("PG_TRICKLE_VERSION");
            const labels = stageInstructions(name).filter((i) => i.getKeyword() === "LABEL").map(argsOf).join(" ");
            for (const key of ["title", "description", "source", "licenses"]) {
                expect(labels).toContain(`org.opencontainers.image.${key}=`);
            }
            expect(labels).toContain('org.opencontainers.image.version="${PG_TRICKLE_VERSION}"');
        }
    });

    it("builds the extension image FROM scratch with only lib/ and share/extension/ from the shared builder", () => {
        const extension = stageInstructions("extension");
        expect(stage("extension").from).toBe("scratch");
        const copies = extension.filter((i) => i.getKeyword() === "COPY").map(argsOf);
        expect(copies).toEqual(["--from=builder /out/lib/pg_trickle.so /lib/pg_trickle.so", "--from=builder /out/extension/ /share/extension/"]);
        expect(extension.map((i) => i.getKeyword()).filter((k) => !["FROM", "ARG", "LABEL", "COPY"].includes(k))).toEqual([]);
    });

    it("uses every file under docker/files, through the files context", () => {
        const files = fs.readdirSync(FILES_DIR).sort();
        expect(files).toEqual(["initdb-pg_trickle.sql", "pg_trickle.conf"]);
        for (const file of files) {
            const viaCopy = new RegExp(`--from=${FILES_CONTEXT} ${file.replace(".", "\\.")} `).test(DOCKERFILE);
            const viaMount = new RegExp(`from=${FILES_CONTEXT},source=${file.replace(".", "\\.")},`).test(DOCKERFILE);
            expect(viaCopy || viaMount, file).toBe(true);
        }
    });

    it("contains nothing that changes between runs of the same build", () => {
        expect(DOCKERFILE).not.toMatch(/\$\(date|\bdate\s+\+|\$RANDOM|uuidgen|mktemp/);
    });
});

describe("the planner's pgrx version step", () => {
    /** The RUN that writes pgrx-version. */
    const step = () => {
        const run = stageInstructions("planner").find((i) => i.getKeyword() === "RUN" && /> pgrx-version$/.test(argsOf(i)));
        if (!run) {
            throw new Error("the planner stage has no RUN that writes pgrx-version");
        }
        return argsOf(run);
    };
    const shell = ["bash", "-o", "pipefail", "-c"]; // the SHELL of the toolchain stage, which the planner inherits

    it("runs in the shell the test runs it in", () => {
        expect(argsOf(stageInstructions("toolchain").find((i) => i.getKeyword() === "SHELL")!)).toBe('["/bin/bash", "-o", "pipefail", "-c"]');
    });

    /** Runs the step in a directory with a Cargo.lock of these [name, version] packages (undefined: none). */
    function pgrxStep(packages: [string, string][] | undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgrx-version-"));
        try {
            if (packages) {
                const entries = packages.map(([name, version]) => `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`);
                fs.writeFileSync(path.join(dir, "Cargo.lock"), ["# This file is automatically @generated by Cargo.", "version = 4", "", ...entries].join("\n"));
            }
            const r = spawnSync(shell[0], [...shell.slice(1), step()], { cwd: dir, encoding: "utf8" });
            const written = path.join(dir, "pgrx-version");
            return { status: r.status, stderr: r.stderr, pgrxVersion: fs.existsSync(written) ? fs.readFileSync(written, "utf8") : undefined };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    it(`writes the pgrx version of a lockfile like pg_trickle ${facts.pgTrickleVersion}'s (pgrx ${facts.pgrx})`, () => {
        const lock: [string, string][] = [
            ["pg_trickle", facts.pgTrickleVersion],
            ["pgrx", facts.pgrx],
            ["pgrx-macros", facts.pgrx],
            ["pgrx-pg-sys", facts.pgrx],
            ["sha2", "0.11.0"],
        ];
        expect(pgrxStep(lock)).toEqual({ status: 0, stderr: "", pgrxVersion: `${facts.pgrx}\n` });
    });

    it.each<[string, [string, string][] | undefined, RegExp]>([
        ["no pgrx package", [["pgrx-macros", "0.18.0"], ["serde", "1.0.0"]], /^Cargo.lock must pin exactly one version of pgrx, it pins: none\n$/],
        ["two pgrx versions", [["pgrx", "0.17.0"], ["pgrx", "0.18.0"]], /^Cargo.lock must pin exactly one version of pgrx, it pins: 0.17.0 0.18.0\n$/],
        ["no Cargo.lock", undefined, /Cargo.lock/],
    ])("fails the build on %s", (_, lock, stderr) => {
        const r = pgrxStep(lock);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(stderr);
        expect(r.pgrxVersion).toBeUndefined();
    });
});

describe("docker/files/initdb-pg_trickle.sql", () => {
    it("creates the extension and calls into the library", () => {
        const statements = INITDB_SQL.split("\n").filter((l) => l.trim() && !l.startsWith("--"));
        expect(statements).toEqual(["CREATE EXTENSION IF NOT EXISTS pg_trickle;", "SELECT pgtrickle.version();"]);
    });
});

describe("docker/files/pg_trickle.conf", () => {
    const settings = confSettings(CONF);

    it("has only comments, blank lines and well-formed name = value settings", () => {
        const malformed = CONF.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#") && confSettings(line).size === 0);
        expect(malformed).toEqual([]);
    });

    it("sets exactly the recommended settings the CNPG cluster starts with, plus the preload", () => {
        expect(Object.fromEntries(settings)).toEqual(IMAGE_SETTINGS);
        expect(IMAGE_SETTINGS).toMatchObject({
            shared_preload_libraries: "pg_trickle",
            wal_level: "logical",
            max_worker_processes: "32",
            "pg_trickle.enabled": "on",
            "pg_trickle.cdc_mode": "auto",
        });
    });

    it(`sets only settings pg_trickle ${gucs.pgTrickleVersion} defines, each with a value of its type and range`, () => {
        const problems = [...settings].filter(([name]) => name.startsWith("pg_trickle.")).flatMap(([name, value]) => settingProblems(name, value));
        expect(problems).toEqual([]);
    });

    it.each<[string, string, string[]]>([
        ["pg_trickle.shedule_interval_ms", "500", ["pg_trickle.shedule_interval_ms: pg_trickle 0.67.0 defines no such setting"]],
        ["pg_trickle.enabled", "maybe", ['pg_trickle.enabled: "maybe" is not a bool']],
        ["pg_trickle.max_dynamic_refresh_workers", "65", ['pg_trickle.max_dynamic_refresh_workers: "65" is not an integer from 1 to 64']],
        ["pg_trickle.scheduler_interval_ms", "1000", []],
    ])("the check finds in %s = %s: %j", (name, value, problems) => {
        expect(settingProblems(name, value)).toEqual(problems);
    });

    it("gives every setting a comment", () => {
        const lines = CONF.split("\n");
        lines.forEach((line, i) => {
            if (confSettings(line).size > 0) {
                expect(lines[i - 1]?.trim().startsWith("#"), `no comment above: ${line}`).toBe(true);
            }
        });
    });

    const server = findPostgres();
    it.skipIf(!server.command)(`is accepted by a real PostgreSQL server when appended to its sample (${server.reason})`, () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgconf-"));
        try {
            // The server runs as an unprivileged user, which must be able to read the directory.
            fs.chmodSync(dir, 0o755);
            const sample = fs.readFileSync(server.sample!, "utf8");
            fs.writeFileSync(path.join(dir, "postgresql.conf"), `${sample}\n${CONF}`, { mode: 0o644 });
            for (const [name, value] of settings) {
                // -C reads the whole file (a syntax error or an invalid core value fails it) and prints the effective value.
                const run = spawnSync(server.command![0], [...server.command!.slice(1), "-D", dir, "-C", name], { encoding: "utf8" });
                expect(run.status, `${name}: ${run.stderr}`).toBe(0);
                expect(run.stdout.trim(), name).toBe(value);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/**
 * Why `name = value` would not take effect with pg_trickle: a name it does not define, or a value
 * that is not of the setting's type and range (numbers without units, as this file writes them).
 */
function settingProblems(name: string, value: string): string[] {
    const guc = gucs.settings.find((g) => g.name === name);
    if (!guc) {
        return [`${name}: pg_trickle ${gucs.pgTrickleVersion} defines no such setting`];
    }
    const number = Number(value);
    const inRange = (integer: boolean) =>
        value.trim() !== "" && Number.isFinite(number) && (!integer || Number.isInteger(number)) && number >= Number(guc.min_val) && number <= Number(guc.max_val);
    const ok =
        guc.vartype === "bool"
            ? /^(on|off|true|false|yes|no|1|0)$/i.test(value)
            : guc.vartype === "integer"
              ? inRange(true)
              : guc.vartype === "real"
                ? inRange(false)
                : true;
    const kind = guc.vartype === "bool" ? "a bool" : `${guc.vartype === "integer" ? "an integer" : "a number"} from ${guc.min_val} to ${guc.max_val}`;
    return ok ? [] : [`${guc.name}: ${JSON.stringify(value)} is not ${kind}`];
}

/**
 * Debian's PostgreSQL server, run as the postgres user when the tests run as root (the server
 * refuses root). Absent on machines without it: `apt-get install -y postgresql`.
 */
function findPostgres(): { command?: string[]; sample?: string; reason: string } {
    const base = "/usr/lib/postgresql";
    const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, "bin", "postgres"))) : [];
    const major = majors.sort((a, b) => Number(b) - Number(a))[0];
    if (!major) {
        return { reason: "skipped: no PostgreSQL server under /usr/lib/postgresql" };
    }
    const postgres = path.join(base, major, "bin", "postgres");
    const sample = `/usr/share/postgresql/${major}/postgresql.conf.sample`;
    if (process.getuid?.() !== 0) {
        return { command: [postgres], sample, reason: `PostgreSQL ${major}` };
    }
    try {
        execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
        return { command: ["runuser", "-u", "postgres", "--", postgres], sample, reason: `PostgreSQL ${major}` };
    } catch {
        return { reason: "skipped: running as root and there is no postgres user to run the server as" };
    }
}
