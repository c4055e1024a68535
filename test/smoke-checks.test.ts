import { execFile, spawn } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGE_SETTINGS } from "../components/image/recommended-settings";
import { psqlArgs, psqlExecutor } from "../components/smoke/psql-executor";
import { parseCsv } from "../components/text/csv";
import { inEffect, isSmokeCheckError, listsLibrary, runSmokeChecks, SmokeCheckError, SmokeReport } from "../components/smoke/smoke-checks";
import type { SqlExecutor } from "../components/smoke/sql-executor";
import gucs from "./data/pg_trickle/gucs.json";
import { IMAGE_CONF } from "./support/image-conf";
import { closedPort, DOUBLE_VERSION, PostgresServer, startPostgres } from "./support/postgres";

// The smoke checks against real PostgreSQL servers (Debian's, see .ci/install-postgres)
// with the test double of pg_trickle (test/fixtures/pg_trickle_double).

const run = promisify(execFile);

let image: PostgresServer; // configured like the image: its conf file appended to postgresql.conf
let withoutExtension: PostgresServer; // configured like the image, but no control/SQL files
let withoutDefaults: PostgresServer; // extension files, but none of the image's settings

beforeAll(async () => {
    [image, withoutExtension, withoutDefaults] = await Promise.all([
        startPostgres({ extensionFiles: true, library: true, conf: IMAGE_CONF }),
        startPostgres({ extensionFiles: false, library: true, conf: IMAGE_CONF }),
        startPostgres({ extensionFiles: true, library: true }),
    ]);
}, 60_000);

afterAll(async () => {
    await Promise.all([image, withoutExtension, withoutDefaults].filter(Boolean).map((s) => s.stop()));
});

/** An executor on a fresh database of `server`; `options` are session settings. */
async function executorFor(server: PostgresServer, options: Record<string, string> = {}) {
    const database = await server.createDatabase();
    return { database, db: psqlExecutor({ binDir: server.binDir, conninfo: server.conninfo(database, options) }) };
}

async function failure(run: Promise<SmokeReport>): Promise<SmokeCheckError> {
    const e = await run.then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(isSmokeCheckError(e), String(e)).toBe(true);
    return e as SmokeCheckError;
}

const checks = { expectedVersion: DOUBLE_VERSION, expectedSettings: IMAGE_SETTINGS, readyTimeoutMs: 5_000, pollIntervalMs: 100 };

/** Passes statements through to `db`, counting those that contain `marker`. */
function counting(db: SqlExecutor, marker: string): { db: SqlExecutor; count: () => number } {
    let count = 0;
    return {
        db: { probe: db.probe, query: (sql) => ((count += sql.includes(marker) ? 1 : 0), db.query(sql)) },
        count: () => count,
    };
}

describe.concurrent("runSmokeChecks against PostgreSQL", () => {
    it("passes on a server configured like the image, leaving a refreshed stream table behind", async () => {
        const { database, db } = await executorFor(image);
        const report = await runSmokeChecks(db, checks);
        expect(report.extensionVersion).toBe(DOUBLE_VERSION);
        expect(report.postgresVersion).toMatch(/^\d+\.\d+/);

        // The checks really ran: the stream table holds all three source rows after the refresh.
        const check = psqlExecutor({ binDir: image.binDir, conninfo: image.conninfo(database) });
        expect(await check.query("SELECT total FROM pgtrickle_smoke_total")).toEqual([["42"]]);
        expect(await check.query("SELECT pgt_schema, pgt_name FROM pgtrickle.pgt_stream_tables")).toEqual([["public", "pgtrickle_smoke_total"]]);
    });

    it("fails the version check when the extension reports another version", async () => {
        const { db } = await executorFor(image, { "pg_trickle_double.reported_version": "0.66.0" });
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("version");
        expect(e.message).toBe(`check "version" failed: expected "${DOUBLE_VERSION}", saw "0.66.0"`);
    });

    it("fails the version check when the configured version is not the built one", async () => {
        const { db } = await executorFor(image);
        const e = await failure(runSmokeChecks(db, { ...checks, expectedVersion: "1.0.0" }));
        expect(e.message).toBe(`check "version" failed: expected "1.0.0", saw "${DOUBLE_VERSION}"`);
    });

    it("fails the result check when refreshing does not bring in the new rows within the deadline", async () => {
        const { db } = await executorFor(image, { "pg_trickle_double.broken_refresh": "on" });
        const started = Date.now();
        const e = await failure(runSmokeChecks(db, { ...checks, refreshTimeoutMs: 300 }));
        expect(e.check).toBe("stream table result");
        expect(e.message).toBe('check "stream table result" failed: expected total = 42 after refresh within 0.3 s, saw (30)');
        expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    });

    it("waits for the result when refreshes are skipped while the scheduler holds the stream table", async () => {
        // The first two manual refreshes find the stream table busy: a NOTICE, no error, old total.
        const { db: busy } = await executorFor(image, { "pg_trickle_double.busy_refreshes": "2" });
        const { db, count } = counting(busy, "refresh_stream_table");
        const report = await runSmokeChecks(db, checks);
        expect(report.extensionVersion).toBe(DOUBLE_VERSION);
        expect(count()).toBe(3);
    });

    it("fails the result check when every refresh within the deadline is skipped", async () => {
        const { db } = await executorFor(image, { "pg_trickle_double.busy_refreshes": "1000" });
        const e = await failure(runSmokeChecks(db, { ...checks, refreshTimeoutMs: 200 }));
        expect(e.message).toBe('check "stream table result" failed: expected total = 42 after refresh within 0.2 s, saw (30)');
    });

    it("fails the extension check when the image has no pg_trickle extension files", async () => {
        const { db } = await executorFor(withoutExtension);
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("extension");
        expect(e.saw).toMatch(/ERROR: .*pg_trickle/);
        expect(e.message).toMatch(/^check "extension" failed: expected CREATE EXTENSION to succeed, saw ERROR: /);
    });

    it("fails the settings check on a server without the image's settings, naming each one", async () => {
        const { db } = await executorFor(withoutDefaults);
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("settings");
        expect(e.message).toBe(
            'check "settings" failed: expected shared_preload_libraries = pg_trickle, wal_level = logical, max_worker_processes = 32, ' +
                "pg_trickle.enabled = on, pg_trickle.cdc_mode = auto, pg_trickle.max_dynamic_refresh_workers = 4, " +
                'saw shared_preload_libraries = "", wal_level = "replica", max_worker_processes = "8", ' +
                // Not preloaded, the library has not defined its settings yet.
                "pg_trickle.enabled undefined (misspelt, or no loaded library defines it), " +
                "pg_trickle.cdc_mode undefined (misspelt, or no loaded library defines it), " +
                "pg_trickle.max_dynamic_refresh_workers undefined (misspelt, or no loaded library defines it)",
        );
    });

    it("fails the settings check when a setting is overridden", async () => {
        const { db } = await executorFor(image, { "pg_trickle.enabled": "off", "pg_trickle.cdc_mode": "trigger" });
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.message).toBe(
            'check "settings" failed: expected pg_trickle.enabled = on, pg_trickle.cdc_mode = auto, saw pg_trickle.enabled = "off", pg_trickle.cdc_mode = "trigger"',
        );
    });

    it("fails the settings check on a misspelt pg_trickle setting, which the server keeps as a silent placeholder", async () => {
        const misspelt = { "pg_trickle.shedule_interval_ms": "500" };
        const { database, db } = await executorFor(image, misspelt);
        // Accepted without a word: pg_trickle (and its double) do not reserve their prefix.
        const session = psqlExecutor({ binDir: image.binDir, conninfo: image.conninfo(database, misspelt) });
        expect(await session.query("SELECT current_setting('pg_trickle.shedule_interval_ms')")).toEqual([["500"]]);

        const e = await failure(runSmokeChecks(db, { ...checks, expectedSettings: { ...IMAGE_SETTINGS, ...misspelt } }));
        expect(e.message).toBe(
            'check "settings" failed: expected pg_trickle.shedule_interval_ms = 500, ' +
                "saw pg_trickle.shedule_interval_ms undefined (misspelt, or no loaded library defines it)",
        );
    });

    it("fails the stream table check with the failing statement and the server's error", async () => {
        const { database, db } = await executorFor(image);
        // An extension without the refresh function: take it out of the extension and drop it.
        const admin = psqlExecutor({ binDir: image.binDir, conninfo: image.conninfo(database) });
        await admin.query("CREATE EXTENSION pg_trickle");
        await admin.query("ALTER EXTENSION pg_trickle DROP FUNCTION pgtrickle.refresh_stream_table(text)");
        await admin.query("DROP FUNCTION pgtrickle.refresh_stream_table(text)");
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("stream table");
        expect(e.message).toContain(`expected "SELECT pgtrickle.refresh_stream_table('pgtrickle_smoke_total')" to succeed`);
        expect(e.saw).toMatch(/ERROR: function pgtrickle\.refresh_stream_table\(unknown\) does not exist/);
    });

    it("fails the catalog check when the stream table is not registered", async () => {
        const { database, db } = await executorFor(image);
        const admin = psqlExecutor({ binDir: image.binDir, conninfo: image.conninfo(database) });
        await admin.query("CREATE EXTENSION pg_trickle");
        await admin.query("CREATE FUNCTION forget() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$");
        await admin.query("CREATE TRIGGER forget BEFORE INSERT ON pgtrickle.pgt_stream_tables FOR EACH ROW EXECUTE FUNCTION forget()");
        // The double's refresh looks its table up in the catalog: refresh this one table directly.
        await admin.query(
            "CREATE OR REPLACE FUNCTION pgtrickle.refresh_stream_table(name text) RETURNS void LANGUAGE plpgsql AS " +
                "$$ BEGIN TRUNCATE pgtrickle_smoke_total; INSERT INTO pgtrickle_smoke_total SELECT sum(v) FROM pgtrickle_smoke_src; END $$",
        );
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("catalog");
        expect(e.message).toBe('check "catalog" failed: expected one row for pgtrickle_smoke_total in pgtrickle.pgt_stream_tables, saw 0 rows');
    });

    it("fails the ready check within the timeout when nothing accepts connections", async () => {
        const port = await closedPort();
        const db = psqlExecutor({ binDir: image.binDir, conninfo: `host=127.0.0.1 port=${port} user=postgres dbname=postgres connect_timeout=2` });
        const started = Date.now();
        const e = await failure(runSmokeChecks(db, { ...checks, readyTimeoutMs: 1_000, pollIntervalMs: 100 }));
        const elapsed = Date.now() - started;
        expect(e.check).toBe("ready");
        expect(e.message).toBe(`check "ready" failed: expected PostgreSQL to accept connections within 1 s, saw 127.0.0.1:${port} - no response`);
        expect(elapsed).toBeGreaterThanOrEqual(900);
        expect(elapsed).toBeLessThan(5_000);
    });
});

describe.concurrent("the pg_trickle test double", () => {
    const upstream = new Map(gucs.settings.map((g) => [g.name, g]));

    it(`defines the pg_trickle settings the image sets as pg_trickle ${gucs.pgTrickleVersion} does: names, types, ranges, defaults, contexts`, async () => {
        const names = Object.keys(IMAGE_SETTINGS).filter((name) => name.startsWith("pg_trickle."));
        const { db } = await executorFor(image);
        const rows = await db.query(
            `SELECT name, vartype, context, boot_val, min_val, max_val FROM pg_settings WHERE name LIKE 'pg_trickle.%' ORDER BY name`,
        );
        const defined = new Map(rows.map(([name, vartype, context, boot_val, min_val, max_val]) => [name, { name, vartype, context, boot_val, min_val, max_val }]));
        for (const name of names) {
            const g = upstream.get(name)!;
            expect(defined.get(name), name).toEqual({ min_val: "", max_val: "", ...g, boot_val: g.boot_val ?? "" });
        }
        expect(defined.get("pg_trickle.enabled")?.boot_val).toBe("on");
    });

    it("reports the library's version, not the catalog's", async () => {
        const { db } = await executorFor(image);
        await db.query("CREATE EXTENSION pg_trickle");
        await db.query("UPDATE pg_catalog.pg_extension SET extversion = '0.0.1' WHERE extname = 'pg_trickle'");
        expect(await db.query("SELECT pgtrickle.version()")).toEqual([[DOUBLE_VERSION]]);
    });

    it("puts a stream table with an unqualified name in current_schema(), qualified ones where named", async () => {
        const { database, db } = await executorFor(image);
        await db.query("CREATE EXTENSION pg_trickle");
        await db.query("CREATE SCHEMA app");
        const inApp = psqlExecutor({ binDir: image.binDir, conninfo: image.conninfo(database, { search_path: "app" }) });
        await inApp.query("SELECT pgtrickle.create_stream_table('here', 'SELECT 1 AS one')");
        await inApp.query("SELECT pgtrickle.create_stream_table('public.there', 'SELECT 2 AS two')");
        expect(await db.query("SELECT pgt_schema, pgt_name FROM pgtrickle.pgt_stream_tables ORDER BY pgt_id")).toEqual([
            ["app", "here"],
            ["public", "there"],
        ]);
        expect(await db.query("SELECT one FROM app.here")).toEqual([["1"]]);
    });

    // Another session holds the stream table the way the scheduler does while it refreshes it.
    it.each([
        ["its catalog row", "BEGIN; SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'st' FOR UPDATE;"],
        ["its advisory lock", "SELECT pg_advisory_lock(pgt_id) IS NULL FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'st';"],
    ])("skips a manual refresh with upstream's NOTICE while another session holds %s", async (_, hold) => {
        const { database, db } = await executorFor(image);
        await db.query("CREATE EXTENSION pg_trickle");
        await db.query("CREATE TABLE src (v int)");
        await db.query("SELECT pgtrickle.create_stream_table('st', 'SELECT count(*) AS n FROM src')");
        await db.query("INSERT INTO src VALUES (1)");

        const holder = spawn(path.join(image.binDir, "psql"), ["-X", "-q", "-t", "-d", image.conninfo(database)], { stdio: ["pipe", "pipe", "inherit"] });
        const held = new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
        holder.stdin.write(`${hold}\n`);
        await held;
        try {
            expect(await refreshNotices(database)).toContain("NOTICE:  refresh skipped: public.st - another refresh is already in progress");
            expect(await db.query("SELECT n FROM st")).toEqual([["0"]]);
        } finally {
            holder.stdin.end();
            await new Promise((resolve) => holder.once("exit", resolve));
        }
        expect(await refreshNotices(database)).toBe("");
        expect(await db.query("SELECT n FROM st")).toEqual([["1"]]);
    });

    /** Refreshes the stream table `st` in a session of its own; returns what the server said besides the result. */
    async function refreshNotices(database: string): Promise<string> {
        const { stderr } = await run(path.join(image.binDir, "psql"), psqlArgs(image.conninfo(database), "SELECT pgtrickle.refresh_stream_table('st')"));
        return stderr.trim();
    }
});

describe("inEffect", () => {
    it.each<[string, string, string | undefined, boolean]>([
        ["pg_trickle.enabled", "on", "on", true],
        ["pg_trickle.enabled", "on", "off", false],
        ["pg_trickle.cdc_mode", "auto", undefined, false],
        ["max_worker_processes", "32", "32", true],
        ["shared_preload_libraries", "pg_trickle", "pg_stat_statements, pg_trickle", true],
        ["shared_preload_libraries", "pg_trickle", "pg_stat_statements", false],
    ])("%s: expected %j, setting %j → %s", (name, expected, setting, ok) => {
        expect(inEffect(name, expected, setting)).toBe(ok);
    });
});

describe("listsLibrary", () => {
    it.each([
        ["pg_trickle", true],
        ["pg_stat_statements, pg_trickle", true],
        ['"pg_trickle"', true],
        ["$libdir/pg_trickle", true],
        ["pg_trickle.so", true],
        ["", false],
        ["pg_stat_statements", false],
        ["pg_trickle_ext", false],
    ])("%j → %s", (setting, listed) => {
        expect(listsLibrary(setting, "pg_trickle")).toBe(listed);
    });
});

describe("parseCsv", () => {
    it.each([
        ["", []],
        ["\n", [[""]]],
        ["42\n", [["42"]]],
        ["a,b\nc,d\n", [["a", "b"], ["c", "d"]]],
        ['"a,b",,"x""y"\n', [["a,b", "", 'x"y']]],
        ['"multi\nline",1\n', [["multi\nline", "1"]]],
        ["no newline", [["no newline"]]],
    ])("%j", (text, rows) => {
        expect(parseCsv(text)).toEqual(rows);
    });
});

describe("psqlArgs", () => {
    it("reads no psqlrc, prints rows only as CSV and stops at the first error", () => {
        expect(psqlArgs("host=h", "SELECT 1")).toEqual(["-X", "-q", "-t", "--csv", "-v", "ON_ERROR_STOP=1", "-d", "host=h", "-c", "SELECT 1"]);
    });
});
