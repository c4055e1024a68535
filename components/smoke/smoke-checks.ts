import type { SqlExecutor } from "./sql-executor";

/** The checks, in the order they run; a failure names one of these. */
export const SMOKE_CHECKS = [
    "ready",
    "shared_preload_libraries",
    "pg_trickle.enabled",
    "extension",
    "version",
    "stream table",
    "stream table result",
    "catalog",
] as const;
export type SmokeCheck = (typeof SMOKE_CHECKS)[number];

/** A check that failed: which one and what it saw; the message also says what it expected. */
export interface SmokeCheckError extends Error {
    name: "SmokeCheckError";
    check: SmokeCheck;
    saw: string;
}

// A factory, not `class … extends Error`: Pulumi's closure serialization of the dynamic
// provider turns `super(message)` into `Error.call(this, message)`, which sets no message.
export function smokeCheckError(check: SmokeCheck, expected: string, saw: string): SmokeCheckError {
    return Object.assign(new Error(`check "${check}" failed: expected ${expected}, saw ${saw}`), {
        name: "SmokeCheckError" as const,
        check,
        saw,
    });
}

export function isSmokeCheckError(e: unknown): e is SmokeCheckError {
    return e instanceof Error && e.name === "SmokeCheckError";
}

export interface SmokeCheckOptions {
    /** Version `pgtrickle.version()` must report (the configured pg_trickle version). Required. */
    expectedVersion: string;
    /** How long to wait for the server to accept connections. Required. */
    readyTimeoutMs: number;
    /** Pause between readiness probes. Default: 500. */
    pollIntervalMs?: number;
}

/** What a passing run saw, kept in the resource's state. */
export interface SmokeReport {
    extensionVersion: string;
    postgresVersion: string;
}

// Source rows before and after the stream table exists: the refresh must pick up the second batch.
const SRC = "pgtrickle_smoke_src";
const ST = "pgtrickle_smoke_total";
const ROWS_BEFORE = "(1, 10), (2, 20)";
const ROWS_AFTER = "(3, 12)";
const EXPECTED_TOTAL = "42";

/**
 * The smoke test of an image: the server comes up, the image's defaults are in effect,
 * the extension is the configured version, and a stream table refreshes correctly.
 * Throws a SmokeCheckError for the first failing check.
 */
export async function runSmokeChecks(db: SqlExecutor, opts: SmokeCheckOptions): Promise<SmokeReport> {
    await waitUntilReady(db, opts.readyTimeoutMs, opts.pollIntervalMs ?? 500);

    const [[preload, enabled, postgresVersion]] = await attempt("shared_preload_libraries", "the server's settings to be readable", () =>
        db.query(
            "SELECT current_setting('shared_preload_libraries'), coalesce(current_setting('pg_trickle.enabled', true), '(not set)'), current_setting('server_version')",
        ),
    );
    if (!listsLibrary(preload, "pg_trickle")) {
        throw smokeCheckError("shared_preload_libraries", "a list with pg_trickle", quoted(preload));
    }
    if (enabled !== "on") {
        throw smokeCheckError("pg_trickle.enabled", "on", quoted(enabled));
    }

    await attempt("extension", "CREATE EXTENSION to succeed", () => db.query("CREATE EXTENSION IF NOT EXISTS pg_trickle"));

    const [[extensionVersion]] = await attempt("version", `pgtrickle.version() = "${opts.expectedVersion}"`, () =>
        db.query("SELECT pgtrickle.version()"),
    );
    if (extensionVersion !== opts.expectedVersion) {
        throw smokeCheckError("version", quoted(opts.expectedVersion), quoted(extensionVersion));
    }

    for (const sql of [
        `CREATE TABLE ${SRC} (id int PRIMARY KEY, v int NOT NULL)`,
        `INSERT INTO ${SRC} VALUES ${ROWS_BEFORE}`,
        `SELECT pgtrickle.create_stream_table('${ST}', 'SELECT sum(v) AS total FROM ${SRC}')`,
        `INSERT INTO ${SRC} VALUES ${ROWS_AFTER}`,
        `SELECT pgtrickle.refresh_stream_table('${ST}')`,
    ]) {
        await attempt("stream table", `${quoted(sql)} to succeed`, () => db.query(sql));
    }
    const total = await attempt("stream table result", `${ST} to be readable`, () => db.query(`SELECT total FROM ${ST}`));
    if (total.length !== 1 || total[0][0] !== EXPECTED_TOTAL) {
        throw smokeCheckError("stream table result", `total = ${EXPECTED_TOTAL} after refresh`, describeRows(total));
    }
    const [[registered]] = await attempt("catalog", "pgtrickle.pgt_stream_tables to be readable", () =>
        db.query(`SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '${ST}'`),
    );
    if (registered !== "1") {
        throw smokeCheckError("catalog", `one row for ${ST} in pgtrickle.pgt_stream_tables`, `${registered} rows`);
    }
    return { extensionVersion, postgresVersion };
}

/** Probes until the server is ready; throws the "ready" check with the last probe's reason on timeout. */
export async function waitUntilReady(db: SqlExecutor, timeoutMs: number, intervalMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const probe = await db.probe();
        if (probe.ready) {
            return;
        }
        if (probe.final || Date.now() + intervalMs > deadline) {
            const waited = probe.final ? "" : ` within ${timeoutMs / 1000} s`;
            throw smokeCheckError("ready", `PostgreSQL to accept connections${waited}`, probe.reason);
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** Whether a `shared_preload_libraries` value lists the library (entries may be quoted, paths, or carry `.so`). */
export function listsLibrary(setting: string, library: string): boolean {
    return setting
        .split(",")
        .map((entry) => entry.trim().replace(/^"(.*)"$/, "$1"))
        .map((entry) => entry.slice(entry.lastIndexOf("/") + 1).replace(/\.so$/, ""))
        .includes(library);
}

async function attempt<T>(check: SmokeCheck, expected: string, step: () => Promise<T>): Promise<T> {
    try {
        return await step();
    } catch (e) {
        throw smokeCheckError(check, expected, e instanceof Error ? e.message : String(e));
    }
}

function quoted(value: string): string {
    return JSON.stringify(value);
}

function describeRows(rows: string[][]): string {
    return rows.length === 0 ? "no rows" : rows.map((r) => `(${r.join(", ")})`).join(" ");
}
