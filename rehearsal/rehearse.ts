/**
 * The release rehearsal (`npm run rehearse`): the real Pulumi CLI, the real docker-build
 * provider, BuildKit, registries, a git server and a Docker engine on this machine's loopback,
 * driving this program as users do, with each scenario checked in the registries.
 * Writes .rehearsal/report-<time>.md, prints it, and exits non-zero when a scenario fails.
 *
 *   npm run rehearse [-- --keep-env]     --keep-env: leave the daemons running afterwards
 */
import * as fs from "fs";
import * as path from "path";
import { PulumiCli } from "./driver/pulumi-cli";
import { RegistryApi } from "./driver/registry-api";
import { runCommand } from "./driver/run-command";
import { renderReport, Report } from "./driver/report";
import { DEV, DEV_SCENARIO, Rehearsal, RELEASE, runScenario, SCENARIOS } from "./driver/scenarios";
import {
    cleanEnvironment,
    clientEnvironment,
    createGitSource,
    doubleContext,
    Environment,
    pushBaseStandIn,
    pushDouble,
    pushFrontend,
    runDirectory,
    sourceUrl,
    startEnvironment,
    stopEnvironment,
} from "./environment";
import { TOOLS, tools } from "./tools";

const PROJECT = path.resolve(__dirname, "..");
const VERSIONS = ["1.2.3", "1.3.0", "1.2.4", "1.2.5"];

function log(line: string): void {
    process.stderr.write(`rehearse: ${line}\n`);
}

/** The program as a user checks it out, under the run directory: `pulumi stack init` and `config set` change its stack files there. */
function copyProject(to: string): void {
    fs.rmSync(to, { recursive: true, force: true });
    fs.mkdirSync(to, { recursive: true });
    for (const entry of ["index.ts", "components", "docker", "package.json", "tsconfig.json", "Pulumi.yaml", "Pulumi.release.yaml", "Pulumi.dev.yaml"]) {
        fs.cpSync(path.join(PROJECT, entry), path.join(to, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(PROJECT, "node_modules"), path.join(to, "node_modules"));
}

async function main(): Promise<number> {
    const report: Report = { started: new Date(), scenarios: [], timings: [], substitutes: [], facts: [] };
    const keepEnv = process.argv.includes("--keep-env");
    const dir = runDirectory();

    log("tools: building what the cache lacks (rehearsal/build-tools.sh)");
    const bins = await tools();
    // A first release needs empty registries and state: nothing of an earlier run is kept.
    await cleanEnvironment();
    fs.mkdirSync(path.join(dir, "logs"), { recursive: true });
    fs.mkdirSync(path.join(dir, "tmp"), { recursive: true });
    log("environment: registries, git daemon, dockerd, buildkitd (rehearsal/env.sh up)");
    const env: Environment = await startEnvironment();
    try {
        const clientEnv = { ...process.env, ...clientEnvironment(env) };
        log("stand-ins: dockerfile frontend, base image, pg_trickle source");
        await pushFrontend();
        const baseDigest = await pushBaseStandIn();
        const commits = await createGitSource(VERSIONS);

        const projectDir = path.join(dir, "project");
        copyProject(projectDir);
        const cli = new PulumiCli({
            bin: bins.pulumi,
            projectDir,
            logFile: path.join(dir, "logs", "pulumi.log"),
            env: {
                ...clientEnv,
                PATH: [...bins.pluginDirs, process.env.PATH].join(":"),
                PULUMI_HOME: path.join(dir, "pulumi-home"),
                PULUMI_SKIP_UPDATE_CHECK: "true",
                // The language host's pipes and every temporary file stay in the run directory.
                TMPDIR: path.join(dir, "tmp"),
                PULUMI_CONFIG_PASSPHRASE: "rehearsal",
                // Nothing is downloaded: every plugin the program uses comes from the tool cache.
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                // Enables `--event-log`: the engine's events, for which steps ran and when.
                PULUMI_DEBUG_COMMANDS: "true",
                NO_COLOR: "1",
            },
        });
        await cli.must(["plugin", "install", "resource", "docker-build", TOOLS.dockerBuild, "--file", bins.dockerBuild]);
        const state = path.join(dir, "state");
        fs.rmSync(state, { recursive: true, force: true });
        fs.mkdirSync(state, { recursive: true });
        await cli.must(["login", `file://${state}`]);
        for (const stack of [RELEASE, DEV]) {
            await cli.must(["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"]);
            await cli.configSet(stack, "baseImageDigests", { "18": baseDigest });
            await cli.configSet(stack, "builders", env.builder);
        }
        // Registries A and B need a login, as Docker Hub does: the release stack's credentials are stack secrets.
        const login = { username: env.registryUser, password: fs.readFileSync(env.registryPasswordFile, "utf8").trim() };
        for (const registry of [env.registryA, env.registryB]) {
            await cli.configSet(RELEASE, `registries["${registry}"].username`, login.username, { path: true });
            await cli.configSetSecret(RELEASE, `registries["${registry}"].password`, login.password);
        }
        await cli.configSet(RELEASE, "platforms", env.platforms);
        await cli.configSet(RELEASE, "repositories", [`${env.registryA}/rehearsal/pg_trickle`, `${env.registryB}/rehearsal/pg_trickle`]);
        await cli.configSet(RELEASE, "extensionRepositories", [`${env.registryA}/rehearsal/pg_trickle-ext`, `${env.registryB}/rehearsal/pg_trickle-ext`]);
        // No Kubernetes here: the dev stack's evaluation cluster is switched off.
        await cli.configSet(DEV, "cnpg", { enabled: false });

        const rehearsal: Rehearsal = {
            cli,
            registries: [new RegistryApi(env.registryA, { caFile: env.caFile, login }), new RegistryApi(env.registryB, { caFile: env.caFile, login })],
            platforms: env.platforms,
            double: async (version, opts) => doubleContext(env, await pushDouble(version, opts)),
            base: (revision) => pushBaseStandIn({ revision }),
            baseDigest,
            source: async (version) => ({ url: sourceUrl(env, version), revision: commits[`v${version}`] }),
            docker: (args) => runCommand("docker", args, { cwd: PROJECT, env: clientEnv, logFile: path.join(dir, "logs", "rehearse.log") }),
            timed: (what, seconds) => report.timings.push({ what, seconds }),
            fact: (text) => report.facts.push(text),
        };
        report.facts.push(
            `platforms: ${env.platforms.join(", ")}${env.platforms.includes("linux/arm64") ? " (linux/arm64 under QEMU user emulation)" : " (linux/arm64 could not run here: see .rehearsal/logs)"}`,
            `Pulumi CLI ${TOOLS.pulumi}, docker-build provider ${TOOLS.dockerBuild}, BuildKit ${TOOLS.buildkit}: built from the Go module proxy; file state backend in ${path.relative(PROJECT, state)}`,
        );
        report.substitutes.push(...substitutes(env));

        for (const scenario of [...SCENARIOS, DEV_SCENARIO]) {
            log(`scenario: ${scenario.name}`);
            const result = await runScenario(scenario, rehearsal);
            report.scenarios.push(result);
            log(`  ${result.passed ? "passed" : "FAILED"} (${result.seconds.toFixed(0)} s)`);
        }
    } finally {
        if (!keepEnv) {
            await stopEnvironment();
        }
    }

    const text = renderReport(report);
    const file = path.join(dir, `report-${report.started.toISOString().replace(/[:.]/g, "-")}.md`);
    fs.writeFileSync(file, text);
    process.stdout.write(text);
    log(`report: ${path.relative(PROJECT, file)}`);
    return report.scenarios.every((s) => s.passed) ? 0 : 1;
}

function substitutes(env: Environment): string[] {
    return [
        "Base image: a stand-in built here from Debian bookworm and Debian's PostgreSQL 15 (laid out as PostgreSQL 18, with an entrypoint of our own), served as docker.io/library/postgres:18-bookworm through BuildKit's registry mirror for docker.io.",
        "Base look-up: the docker provider (@pulumi/docker, getRegistryImage) cannot be built here (its Go module is not served by the proxy), so both stacks pin the base digest in config (baseImageDigests); the base scenario moves that pin.",
        "Compiled extension: the pg_trickle test double (test/fixtures/pg_trickle_double), built for each platform and injected as the named build context `builder` (the `buildContexts` setting), which replaces the Dockerfile's Rust stages.",
        `Registries: two local docker-registry instances (${env.registryA}, ${env.registryB}: HTTPS with a certificate of the run's own CA, a login, names that resolve to 127.0.0.1 in the rehearsal's mount namespace) instead of Docker Hub and GHCR.`,
        "pg_trickle's source: a small pg_trickle-like git repository served by git daemon on 127.0.0.1, tagged per version.",
        "Dockerfile frontend (`# syntax=docker/dockerfile:1`): built from BuildKit's module and served as docker.io/docker/dockerfile:1 through the mirror.",
        `Node.js language host: Pulumi's own from sdk/v3 ${TOOLS.languageHost} (the later per-release module is not served by the proxy); it runs the program's own @pulumi/pulumi ${TOOLS.pulumi}.`,
        `docker-build provider ${TOOLS.dockerBuild}: built from the module proxy with two schema-only imports (the Java and .NET SDK settings types of its schema) declared by local modules, because the proxy serves neither pulumi-java nor pulumi-dotnet; Image and Index are the provider's own code.`,
    ];
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`rehearse: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    },
);
