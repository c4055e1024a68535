import { IMAGE_SETTINGS } from "../image/recommended-settings";
import { psqlExecutor } from "./psql-executor";
import { commandFailure, runCommand } from "./run-command";
import { runSmokeChecks, SmokeReport } from "./smoke-checks";
import type { SqlExecutor } from "./sql-executor";

export interface ContainerSmokeTestOptions {
    /** Image to test, pinned by digest (`repository@sha256:<64 hex>`). Required. */
    imageRef: string;
    /** Version `pgtrickle.version()` must report. Required. */
    expectedVersion: string;
    /** Platform to run, e.g. `linux/amd64`. Required. */
    platform: string;
    /** How long PostgreSQL may take to accept connections once the container runs. Required. */
    readyTimeoutSeconds: number;
    /** The docker CLI. Default: `docker` on PATH. */
    docker?: string;
}

const DIGEST_REF = /^[^@\s]+@sha256:([a-f0-9]{64})$/;
const PULL_AND_START_TIMEOUT_MS = 30 * 60_000;
const DOCKER_TIMEOUT_MS = 60_000;
const LOG_LINES = 30;
// TCP, not the Unix socket: the image's entrypoint first runs a temporary socket-only
// server for initdb scripts; only the final server listens on TCP.
const CONNINFO = "host=127.0.0.1 user=postgres dbname=postgres connect_timeout=5";

/** Container name derived from the digest: no randomness, and a leftover of an interrupted run is found again. */
export function containerName(imageRef: string): string {
    const m = DIGEST_REF.exec(imageRef);
    if (!m) {
        throw new Error(`the smoke test runs an image pinned by digest (<repository>@sha256:<64 hex>), got "${imageRef}"`);
    }
    return `pgtrickle-smoke-${m[1].slice(0, 12)}`;
}

/**
 * `docker run` of the image under test: no network (nothing outside can reach its
 * throwaway superuser), the password taken from the CLI's environment (never on a
 * command line or in a message), a label to find leftovers by.
 */
export function dockerRunArgs(name: string, imageRef: string, platform: string): string[] {
    return [
        "run",
        "--detach",
        "--name",
        name,
        "--platform",
        platform,
        "--network",
        "none",
        "--label",
        "io.pgtrickle.smoke-test=true",
        "--env",
        "POSTGRES_PASSWORD",
        imageRef,
    ];
}

/**
 * Runs the image in a container, runs the smoke checks in it through `docker exec`, and
 * removes the container (and its anonymous data volume) afterwards, also on failure.
 * Throws an error naming the image, the failing check, what it saw, and the container log.
 */
export async function smokeTestImageInContainer(o: ContainerSmokeTestOptions): Promise<SmokeReport> {
    const docker = o.docker ?? "docker";
    const name = containerName(o.imageRef);
    const password = process.getBuiltinModule("crypto").randomBytes(24).toString("base64url");
    const env = { POSTGRES_PASSWORD: password, PGPASSWORD: password };
    const dockerCmd = (args: string[], timeoutMs = DOCKER_TIMEOUT_MS) => runCommand([docker, ...args], { timeoutMs, env });
    const subject = `smoke test of ${o.imageRef} on ${o.platform}`;
    const remove = () => dockerCmd(["rm", "--force", "--volumes", name]);

    await remove(); // a leftover of an interrupted run would block the name
    try {
        const started = await dockerCmd(dockerRunArgs(name, o.imageRef, o.platform), PULL_AND_START_TIMEOUT_MS);
        if (started.code !== 0) {
            throw new Error(`${subject}: could not start the container: ${commandFailure("docker run", started, PULL_AND_START_TIMEOUT_MS)}`);
        }
        try {
            return await runSmokeChecks(containerExecutor(docker, name, env), {
                expectedVersion: o.expectedVersion,
                expectedSettings: IMAGE_SETTINGS,
                readyTimeoutMs: o.readyTimeoutSeconds * 1000,
            });
        } catch (e) {
            const logs = await dockerCmd(["logs", "--tail", String(LOG_LINES), name]);
            const log = `${logs.stdout}${logs.stderr}`.trim() || "(empty)";
            throw new Error(`${subject}: ${e instanceof Error ? e.message : String(e)}\ncontainer log (last ${LOG_LINES} lines):\n${log}`);
        }
    } finally {
        // Not fatal when it fails: the next run removes the container by its name first.
        await remove();
    }
}

/** psql inside the container; a probe of a container that stopped running gives up at once. */
function containerExecutor(docker: string, name: string, env: Record<string, string>): SqlExecutor {
    const psql = psqlExecutor({ via: [docker, "exec", "--env", "PGPASSWORD", name], conninfo: CONNINFO, env });
    return {
        query: psql.query,
        async probe() {
            const probe = await psql.probe();
            if (probe.ready) {
                return probe;
            }
            const state = await runCommand([docker, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name], {
                timeoutMs: DOCKER_TIMEOUT_MS,
            });
            const [status, exitCode] = state.stdout.trim().split(" ");
            if (status === "running" || status === "created") {
                return probe;
            }
            const why = status ? `the container is ${status}${status === "exited" ? ` (exit code ${exitCode})` : ""}` : "the container is gone";
            return { ready: false, final: true, reason: why };
        },
    };
}
