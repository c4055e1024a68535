/**
 * The rehearsal environment for a TypeScript driver: starts and stops it (rehearsal/env.sh) and
 * pushes the stand-ins (rehearsal/images/*.sh, rehearsal/git-source.sh). Each script prints
 * what it pushed on stdout; its progress goes to <run dir>/logs/scripts.log.
 *
 *   const env = await startEnvironment();
 *   try {
 *       const base = await pushBaseStandIn();            // sha256:… of docker.io/library/postgres:18-bookworm
 *       const double = await pushDouble("1.2.3");        // sha256:… of the builder-stage stand-in
 *       await pushFrontend();                            // docker.io/docker/dockerfile:1
 *       await createGitSource();                         // tags v1.2.3 v1.3.0 v1.2.4
 *       // pulumi config: buildContexts.builder = doubleContext(env, double), source = sourceUrl(env, "1.2.3"), …
 *       // pulumi up with { ...process.env, ...clientEnvironment(env) }
 *   } finally {
 *       await stopEnvironment();
 *   }
 */
import * as fs from "fs";
import * as path from "path";
import { runCommand, tail } from "./driver/run-command";

/** What `env.sh up` wrote to <run dir>/env.json. */
export interface Environment {
    /** The run directory (.rehearsal/). */
    dir: string;
    /** unix:// socket of the rehearsal's Docker engine. */
    dockerHost: string;
    /** Docker CLI config directory; buildx keeps its builders in <dockerConfig>/buildx. */
    dockerConfig: string;
    /** unix:// socket of buildkitd. */
    buildkitHost: string;
    /** Name of the buildx "remote" builder for buildkitd (the program's `builders` setting). */
    builder: string;
    /** 127.0.0.1:<port>: BuildKit's mirror for docker.io, and home of the stand-ins. */
    mirrorRegistry: string;
    /** 127.0.0.1:<port>: registries the program publishes to. */
    registryA: string;
    registryB: string;
    /** git://127.0.0.1:<port> */
    gitBaseUrl: string;
    /** The run's certificate authority: registries A and B serve HTTPS with a certificate it signed. */
    caFile: string;
    /** The login of registries A and B: the user, and a file with the run's password. */
    registryUser: string;
    registryPasswordFile: string;
    /** The system's CAs plus the run's, for SSL_CERT_FILE. */
    caBundle: string;
    /** linux/amd64, and linux/arm64 when QEMU user emulation works here. */
    platforms: string[];
}

const HERE = __dirname;
const PROJECT = path.resolve(HERE, "..");

/** The run directory, as rehearsal/lib/common.sh computes it. */
export function runDirectory(): string {
    return process.env.REHEARSAL_DIR ?? path.join(PROJECT, ".rehearsal");
}

/** Runs a rehearsal script; resolves to its stdout (trimmed), rejects with the end of its log. */
async function script(relative: string, args: string[] = []): Promise<string> {
    const logDir = path.join(runDirectory(), "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const r = await runCommand("bash", [path.join(HERE, relative), ...args], { cwd: PROJECT, logFile: path.join(logDir, "scripts.log") });
    if (r.code !== 0) {
        throw new Error(`rehearsal/${relative} ${args.join(" ")} exited ${r.code}:\n${tail(r)}`);
    }
    return r.stdout.trim();
}

/** Starts the registries, the git daemon, dockerd and buildkitd (stops them again if one fails). */
export async function startEnvironment(): Promise<Environment> {
    await script("env.sh", ["up"]);
    return readEnvironment();
}

/** Stops every daemon `startEnvironment` started, by pid. Safe to call when nothing runs. */
export async function stopEnvironment(): Promise<void> {
    await script("env.sh", ["down"]);
}

/** Stops what runs and deletes the run directory: registries, state and logs start empty. */
export async function cleanEnvironment(): Promise<void> {
    await script("env.sh", ["clean"]);
}

/** The running environment's description (env.sh up writes it). */
export function readEnvironment(): Environment {
    return JSON.parse(fs.readFileSync(path.join(runDirectory(), "env.json"), "utf8")) as Environment;
}

/** Environment variables for every client of the environment: the Pulumi CLI and its providers, docker, buildx. */
export function clientEnvironment(env: Environment): Record<string, string> {
    return {
        DOCKER_HOST: env.dockerHost,
        DOCKER_CONFIG: env.dockerConfig,
        BUILDKIT_HOST: env.buildkitHost,
        // The builder every buildx command uses by default, as setup-buildx-action makes it in CI.
        BUILDX_BUILDER: env.builder,
        // Registries A and B are HTTPS with the run's CA: Go (CLI, provider, buildx) and Node (the program) trust it.
        SSL_CERT_FILE: env.caBundle,
        NODE_EXTRA_CA_CERTS: env.caFile,
    };
}

/** Pushes the Dockerfile frontend as docker/dockerfile:1 to the mirror; resolves to its digest. */
export function pushFrontend(): Promise<string> {
    return script("images/frontend.sh");
}

/**
 * Pushes the postgres stand-in as library/postgres:18-bookworm to the mirror; resolves to the
 * index digest. Another `revision` gives another digest of the same content (a republished base).
 */
export function pushBaseStandIn(opts: { revision?: number } = {}): Promise<string> {
    return script("images/base-standin.sh", opts.revision === undefined ? [] : ["--revision", String(opts.revision)]);
}

/**
 * Pushes the test double packaged as pg_trickle `version` (rehearsal/pg_trickle-double:<version>);
 * resolves to the index digest. `broken`: its pgtrickle.version() reports another version
 * (`true`: "<version>-broken").
 */
export function pushDouble(version: string, opts: { broken?: boolean | string } = {}): Promise<string> {
    const broken = opts.broken === undefined || opts.broken === false ? [] : opts.broken === true ? ["--broken"] : [`--broken=${opts.broken}`];
    return script("images/double.sh", [version, ...broken]);
}

/** Creates the pg_trickle source repository with a tag per version; resolves to tag -> commit. */
export async function createGitSource(versions: string[] = []): Promise<Record<string, string>> {
    const out = await script("git-source.sh", versions);
    return Object.fromEntries(out.split("\n").filter(Boolean).map((line) => line.split(" ") as [string, string]));
}

/** The named build context that replaces docker/Dockerfile's builder stage with a pushed double. */
export function doubleContext(env: Environment, digest: string): string {
    return `docker-image://${env.mirrorRegistry}/rehearsal/pg_trickle-double@${digest}`;
}

/** The main build context: the source repository at tag v<version>. */
export function sourceUrl(env: Environment, version: string): string {
    return `${env.gitBaseUrl}/pg-trickle.git#v${version}`;
}

/** The base image name the program resolves through the mirror (the stand-in is pushed under it). */
export const BASE_IMAGE_REPOSITORY = "docker.io/library/postgres";
