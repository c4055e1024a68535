import { parseCsv } from "../text/csv";
import { commandFailure, runCommand } from "./run-command";
import type { ReadyProbe, SqlExecutor } from "./sql-executor";

/** Where psql and pg_isready run and which database they reach. */
export interface PsqlTarget {
    /** Command prefix that runs a program where the server is: `[]` locally, `["docker", "exec", <name>]` in a container. Default: []. */
    via?: string[];
    /** Directory of psql and pg_isready; default: found on PATH (inside the container when run through `docker exec`). */
    binDir?: string;
    /** libpq connection string, e.g. `host=127.0.0.1 user=postgres dbname=postgres`. Required. */
    conninfo: string;
    /** Limit for one client command; a hung client fails instead of blocking `pulumi up`. Default: 60000. */
    commandTimeoutMs?: number;
    /** Environment for the client command (values are passed by environment, never on the command line). Default: none. */
    env?: Record<string, string>;
}

/** Arguments of psql for one statement: no psqlrc, quiet, rows only, CSV, stop on the first error. */
export function psqlArgs(conninfo: string, sql: string): string[] {
    return ["-X", "-q", "-t", "--csv", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql];
}

/** An executor that shells out to psql / pg_isready (no driver dependency; the same binaries exist in the image). */
export function psqlExecutor(target: PsqlTarget): SqlExecutor {
    const via = target.via ?? [];
    const timeoutMs = target.commandTimeoutMs ?? 60_000;
    const program = (name: string) => (target.binDir ? `${target.binDir}/${name}` : name);
    const run = (name: string, args: string[]) => runCommand([...via, program(name), ...args], { timeoutMs, env: target.env });
    return {
        async probe(): Promise<ReadyProbe> {
            const r = await run("pg_isready", ["-d", target.conninfo, "-t", "5"]);
            return r.code === 0 ? { ready: true } : { ready: false, reason: commandFailure("pg_isready", r, timeoutMs) };
        },
        async query(sql: string): Promise<string[][]> {
            const r = await run("psql", psqlArgs(target.conninfo, sql));
            if (r.code !== 0) {
                throw new Error(commandFailure("psql", r, timeoutMs));
            }
            return parseCsv(r.stdout);
        },
    };
}

