import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv, psqlArgs, psqlExecutor } from "../components/smoke/psql-executor";
import { isSmokeCheckError, listsLibrary, runSmokeChecks, SmokeCheckError, SmokeReport } from "../components/smoke/smoke-checks";
import { closedPort, DOUBLE_VERSION, PostgresServer, startPostgres } from "./support/postgres";

// The smoke checks against real PostgreSQL servers (Debian's, see .ci/install-postgres)
// with the SQL-only test double of pg_trickle (test/fixtures/pg_trickle_double).

const IMAGE_DEFAULTS = { shared_preload_libraries: "pg_trickle", "pg_trickle.enabled": "on" };

let image: PostgresServer; // configured like the image
let withoutExtension: PostgresServer; // library preloaded, but no control/SQL files
let withoutDefaults: PostgresServer; // extension files, but pg_trickle not preloaded

beforeAll(async () => {
    [image, withoutExtension, withoutDefaults] = await Promise.all([
        startPostgres({ extensionFiles: true, library: true, settings: IMAGE_DEFAULTS }),
        startPostgres({ extensionFiles: false, library: true, settings: IMAGE_DEFAULTS }),
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

const checks = { expectedVersion: DOUBLE_VERSION, readyTimeoutMs: 5_000, pollIntervalMs: 100 };

describe("runSmokeChecks against PostgreSQL", () => {
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

    it("fails the result check when the refresh does not bring in new rows", async () => {
        const { db } = await executorFor(image, { "pg_trickle_double.broken_refresh": "on" });
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("stream table result");
        expect(e.message).toBe('check "stream table result" failed: expected total = 42 after refresh, saw (30)');
    });

    it("fails the extension check when the image has no pg_trickle extension files", async () => {
        const { db } = await executorFor(withoutExtension);
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("extension");
        expect(e.saw).toMatch(/ERROR: .*pg_trickle/);
        expect(e.message).toMatch(/^check "extension" failed: expected CREATE EXTENSION to succeed, saw ERROR: /);
    });

    it("fails the preload check when shared_preload_libraries does not list pg_trickle", async () => {
        const { db } = await executorFor(withoutDefaults);
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("shared_preload_libraries");
        expect(e.message).toBe('check "shared_preload_libraries" failed: expected a list with pg_trickle, saw ""');
    });

    it("fails the enabled check when pg_trickle.enabled is off", async () => {
        const { db } = await executorFor(image, { "pg_trickle.enabled": "off" });
        const e = await failure(runSmokeChecks(db, checks));
        expect(e.check).toBe("pg_trickle.enabled");
        expect(e.message).toBe('check "pg_trickle.enabled" failed: expected on, saw "off"');
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
