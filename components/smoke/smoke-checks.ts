import type { SqlExecutor } from "./sql-executor";

/** The checks, in the order they run; a failure names one of these. */
export const SMOKE_CHECKS = [
    "ready",
    "settings",
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
    /**
     * Every setting the image configures, valued as `pg_settings.setting` shows it: each must
     * be in effect (for `shared_preload_libraries`: list each library). Required.
     */
    expectedSettings: Readonly<Record<string, string>>;
    /** How long to wait for the server to accept connections. Required. */
    readyTimeoutMs: number;
    /** How long refreshing may take to bring the new rows into the stream table. Default: 30000. */
    refreshTimeoutMs?: number;
    /** Pause between readiness probes, and between refreshes. Default: 500. */
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
const REFRESH = `SELECT pgtrickle.refresh_stream_table('${ST}')`;
const DEFAULT_REFRESH_TIMEOUT_MS = 30_000;

/**
 * The smoke test of an image: the server comes up, every setting the image configures is
 * in effect, the extension is the configured version, and a stream table refreshes
 * correctly. Throws a SmokeCheckError for the first failing check.
 */
export async function runSmokeChecks(db: SqlExecutor, opts: SmokeCheckOptions): Promise<SmokeReport> {
    const pollIntervalMs = opts.pollIntervalMs ?? 500;
    await waitUntilReady(db, opts.readyTimeoutMs, pollIntervalMs);
    await checkSettings(db, opts.expectedSettings);
    const [[postgresVersion]] = await attempt("settings", "server_version to be readable", () => db.query("SELECT current_setting('server_version')"));

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
    ]) {
        await attempt("stream table", `${quoted(sql)} to succeed`, () => db.query(sql));
    }
    await refreshUntilTotal(db, opts.refreshTimeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS, pollIntervalMs);

    const [[registered]] = await attempt("catalog", "pgtrickle.pgt_stream_tables to be readable", () =>
        db.query(`SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '${ST}'`),
    );
    if (registered !== "1") {
        throw smokeCheckError("catalog", `one row for ${ST} in pgtrickle.pgt_stream_tables`, `${registered} rows`);
    }
    return { extensionVersion, postgresVersion };
}

/**
 * Reads every expected setting back from pg_settings. A setting the server does not define
 * is missing there even when postgresql.conf sets it: pg_trickle does not reserve its prefix,
 * so a misspelt or unknown `pg_trickle.*` line is kept as a placeholder that does nothing.
 */
async function checkSettings(db: SqlExecutor, expected: Readonly<Record<string, string>>): Promise<void> {
    const names = Object.keys(expected);
    const rows = await attempt("settings", "pg_settings to be readable", () =>
        db.query(`SELECT name, setting FROM pg_catalog.pg_settings WHERE name IN (${names.map(sqlLiteral).join(", ")})`),
    );
    const actual = new Map(rows.map(([name, setting]) => [name, setting]));
    const wrong = names.filter((name) => !inEffect(name, expected[name], actual.get(name)));
    if (wrong.length > 0) {
        const saw = (name: string) => {
            const setting = actual.get(name);
            return setting === undefined ? `${name} undefined (misspelt, or no loaded library defines it)` : `${name} = ${quoted(setting)}`;
        };
        throw smokeCheckError("settings", wrong.map((name) => `${name} = ${expected[name]}`).join(", "), wrong.map(saw).join(", "));
    }
}

/** Whether a setting's value (undefined: the server has no such setting) is the expected one. */
export function inEffect(name: string, expected: string, setting: string | undefined): boolean {
    if (setting === undefined) {
        return false;
    }
    // The preload list may hold other libraries too, in any order.
    if (name === "shared_preload_libraries") {
        return expected.split(",").every((library) => listsLibrary(setting, library.trim()));
    }
    return setting === expected;
}

/**
 * Refreshes until the stream table holds the expected total. While the scheduler
 * (pg_trickle.enabled) refreshes the same table, a manual refresh is skipped with a NOTICE,
 * not an error, so one refresh that left the old total proves nothing; still the old total
 * at the deadline does.
 */
async function refreshUntilTotal(db: SqlExecutor, timeoutMs: number, intervalMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        await attempt("stream table", `${quoted(REFRESH)} to succeed`, () => db.query(REFRESH));
        const total = await attempt("stream table result", `${ST} to be readable`, () => db.query(`SELECT total FROM ${ST}`));
        if (total.length === 1 && total[0][0] === EXPECTED_TOTAL) {
            return;
        }
        if (Date.now() + intervalMs > deadline) {
            throw smokeCheckError("stream table result", `total = ${EXPECTED_TOTAL} after refresh within ${timeoutMs / 1000} s`, describeRows(total));
        }
        await sleep(intervalMs);
    }
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
        await sleep(intervalMs);
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

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function sqlLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

function quoted(value: string): string {
    return JSON.stringify(value);
}

function describeRows(rows: string[][]): string {
    return rows.length === 0 ? "no rows" : rows.map((r) => `(${r.join(", ")})`).join(" ");
}
