import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL server for tests: Debian's packaged binaries (installed by
 * `.ci/install-postgres`), a private installation tree and data directory in a temp
 * dir, listening on a free loopback port. As root (CI) the server runs as the
 * package's `postgres` user, since PostgreSQL refuses to run as root.
 *
 * The installation tree is a copy of the `postgres` binary beside symlinks to the
 * packaged share and lib directories: PostgreSQL finds its share directory (and so
 * extension control files) relative to its own binary, and PostgreSQL 15 has no
 * extension_control_path. That lets one server have the pg_trickle test double and
 * another not, without writing to system directories.
 */
export interface PostgresServer {
    port: number;
    /** Directory of the client programs (psql, pg_isready) matching the server. */
    binDir: string;
    /** libpq connection string; `options` become `-c name=value` settings of the session. */
    conninfo(database?: string, options?: Record<string, string>): string;
    /** Creates an empty database with a fresh name and returns the name. */
    createDatabase(): Promise<string>;
    /** Stops the server and removes its temp dir. */
    stop(): Promise<void>;
}

export interface PostgresServerOptions {
    /** Install the pg_trickle test double (control + SQL) into this server's share dir. */
    extensionFiles: boolean;
    /** Build the double's library (`pg_trickle.so`, with its build.sh) and put it on dynamic_library_path. */
    library: boolean;
    /** Server settings (`-c name=value`), e.g. shared_preload_libraries. */
    settings?: Record<string, string>;
    /** Lines appended to the data directory's postgresql.conf, as the image appends its defaults. */
    conf?: string;
}

export const DOUBLE_DIR = path.resolve(__dirname, "..", "fixtures", "pg_trickle_double");

/** The version the double reports: its control file's default_version. */
export const DOUBLE_VERSION = /default_version\s*=\s*'([^']+)'/.exec(fs.readFileSync(path.join(DOUBLE_DIR, "pg_trickle.control"), "utf8"))![1];

function pgConfig(flag: string): string {
    try {
        return execFileSync("pg_config", [flag], { encoding: "utf8" }).trim();
    } catch {
        throw new Error("pg_config not found: install PostgreSQL with .ci/install-postgres (as root)");
    }
}

/** PostgreSQL refuses to run as root: run the server as the Debian package's `postgres` user then. */
function serverUser(): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) {
        return undefined;
    }
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
    });
}

/** Builds the private installation tree under `root` (see PostgresServer). */
function installTree(root: string, opts: PostgresServerOptions): string {
    const bindir = pgConfig("--bindir");
    const sharedir = pgConfig("--sharedir");
    const pkglibdir = pgConfig("--pkglibdir");
    // Keep the packaged layout so the relative share/lib paths resolve the same way.
    const treeBin = path.join(root, path.relative("/", bindir));
    const treeShare = path.join(root, path.relative("/", sharedir));
    const treeLib = path.join(root, path.relative("/", pkglibdir));
    fs.mkdirSync(treeBin, { recursive: true });
    fs.mkdirSync(path.join(treeShare, "extension"), { recursive: true });
    fs.mkdirSync(path.dirname(treeLib), { recursive: true });
    // A copy, not a link: PostgreSQL resolves symlinks to its binary before deriving paths.
    fs.copyFileSync(path.join(bindir, "postgres"), path.join(treeBin, "postgres"));
    fs.chmodSync(path.join(treeBin, "postgres"), 0o755);
    if (!fs.existsSync(treeLib)) {
        fs.symlinkSync(pkglibdir, treeLib);
    }
    for (const entry of fs.readdirSync(sharedir)) {
        if (entry !== "extension") {
            fs.symlinkSync(path.join(sharedir, entry), path.join(treeShare, entry));
        }
    }
    for (const entry of fs.readdirSync(path.join(sharedir, "extension"))) {
        fs.symlinkSync(path.join(sharedir, "extension", entry), path.join(treeShare, "extension", entry));
    }
    if (opts.extensionFiles) {
        for (const entry of fs.readdirSync(DOUBLE_DIR).filter((f) => f.endsWith(".control") || f.endsWith(".sql"))) {
            fs.copyFileSync(path.join(DOUBLE_DIR, entry), path.join(treeShare, "extension", entry));
        }
    }
    return path.join(treeBin, "postgres");
}

/** The double's library and a template cluster each server copies. */
interface Prepared {
    libDir: string;
    template: string;
    owner?: { uid: number; gid: number };
}
let prepared: Promise<Prepared> | undefined;

/** Where prepared files are kept between runs, under a key of what they are made of. */
const CACHE = path.resolve(__dirname, "..", "..", "node_modules", ".cache", "pg-trickle-tests");
const INITDB_ARGS = ["-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"];

/** The directory of this process's servers; the last server to stop removes it. */
let serversRoot: string | undefined;
let running = 0;

/** tmpfs when it has room (initdb and copies are several times faster there), else the OS temp dir. */
function tempBase(): string {
    try {
        const st = fs.statfsSync("/dev/shm");
        if (st.bavail * st.bsize > 1024 ** 3) {
            return "/dev/shm";
        }
    } catch {
        // no /dev/shm
    }
    return os.tmpdir();
}

/**
 * The library and the template, made once per machine rather than once per test file:
 * kept in node_modules/.cache under a hash of the server's version, the double's files,
 * initdb's arguments and the server's user. Built in a temp dir and renamed into place,
 * so test workers that build at once never see half of one.
 */
async function prepare(): Promise<Prepared> {
    const owner = serverUser();
    const key = createHash("sha256")
        .update(JSON.stringify([pgConfig("--version"), INITDB_ARGS, owner]))
        .update(fs.readdirSync(DOUBLE_DIR).sort().map((f) => `${f}\0${fs.readFileSync(path.join(DOUBLE_DIR, f), "utf8")}`).join("\0"))
        .digest("hex")
        .slice(0, 16);
    const dir = path.join(CACHE, key);
    if (!fs.existsSync(dir)) {
        fs.mkdirSync(CACHE, { recursive: true });
        const building = fs.mkdtempSync(path.join(CACHE, `${key}.building-`));
        try {
            await build(building, owner);
            fs.renameSync(building, dir);
        } catch (e) {
            fs.rmSync(building, { recursive: true, force: true });
            // Another worker may have renamed its build into place first: use that one.
            if (!fs.existsSync(dir)) {
                throw e;
            }
        }
    }
    return { libDir: path.join(dir, "lib"), template: path.join(dir, "template"), owner };
}

async function build(root: string, owner: Prepared["owner"]): Promise<void> {
    const include = pgConfig("--includedir-server");
    if (!fs.existsSync(path.join(include, "postgres.h"))) {
        throw new Error(`PostgreSQL server headers missing (${include}): run .ci/install-postgres (as root)`);
    }
    const compile = run("sh", [path.join(DOUBLE_DIR, "build.sh"), path.join(root, "lib")]);
    if (owner) {
        fs.chownSync(root, owner.uid, owner.gid);
    }
    const initdb = run(path.join(pgConfig("--bindir"), "initdb"), ["-D", path.join(root, "template"), ...INITDB_ARGS], {
        uid: owner?.uid,
        gid: owner?.gid,
    });
    await Promise.all([compile, initdb]);
}

function chownTree(dir: string, owner: { uid: number; gid: number }): void {
    fs.lchownSync(dir, owner.uid, owner.gid);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            chownTree(p, owner);
        } else {
            fs.lchownSync(p, owner.uid, owner.gid);
        }
    }
}

function quoteConninfo(value: string): string {
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

const tail = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").slice(-15).join("\n") : "(no log)");

/** Starts a server; call `stop()` in afterAll. */
export async function startPostgres(opts: PostgresServerOptions): Promise<PostgresServer> {
    prepared ??= prepare();
    const { libDir, template, owner } = await prepared;
    if (running++ === 0) {
        serversRoot = fs.mkdtempSync(path.join(tempBase(), "pgtrickle-test-pg-"));
        if (owner) {
            fs.chownSync(serversRoot, owner.uid, owner.gid);
        }
    }
    const root = serversRoot!;
    const release = () => {
        if (--running === 0) {
            fs.rmSync(root, { recursive: true, force: true });
        }
    };
    const dir = fs.mkdtempSync(path.join(root, "server-"));
    const postgres = installTree(path.join(dir, "tree"), opts);
    const binDir = pgConfig("--bindir");
    const dataDir = path.join(dir, "data");
    const logFile = path.join(dir, "server.log");
    await run("cp", ["-a", template, dataDir]);
    if (opts.conf !== undefined) {
        fs.appendFileSync(path.join(dataDir, "postgresql.conf"), `\n${opts.conf}`);
    }
    if (owner) {
        chownTree(dir, owner);
    }
    const asServer = { uid: owner?.uid, gid: owner?.gid };

    const port = await freePort();
    const settings: Record<string, string> = {
        listen_addresses: "127.0.0.1",
        port: String(port),
        unix_socket_directories: dir,
        ...(opts.library ? { dynamic_library_path: `${libDir}:$libdir` } : {}),
        fsync: "off",
        ...opts.settings,
    };
    const log = fs.openSync(logFile, "a");
    const child: ChildProcess = spawn(postgres, ["-D", dataDir, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])], {
        ...asServer,
        stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

    const conninfo = (database = "postgres", options: Record<string, string> = {}) => {
        const parts = [`host=127.0.0.1`, `port=${port}`, `user=postgres`, `dbname=${database}`, "connect_timeout=5"];
        const o = Object.entries(options).map(([k, v]) => `-c ${k}=${v}`);
        return [...parts, ...(o.length > 0 ? [`options=${quoteConninfo(o.join(" "))}`] : [])].join(" ");
    };
    const stop = async () => {
        if (child.exitCode === null) {
            child.kill("SIGINT"); // fast shutdown
            await exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
        release();
    };

    const deadline = Date.now() + 15_000;
    for (;;) {
        if (child.exitCode !== null) {
            const log = tail(logFile);
            fs.rmSync(dir, { recursive: true, force: true });
            release();
            throw new Error(`test PostgreSQL did not start:\n${log}`);
        }
        try {
            await run(path.join(binDir, "pg_isready"), ["-q", "-d", conninfo()]);
            break;
        } catch {
            if (Date.now() > deadline) {
                await stop();
                throw new Error(`test PostgreSQL not ready within 15 s:\n${tail(logFile)}`);
            }
            await new Promise((r) => setTimeout(r, 50));
        }
    }

    let databases = 0;
    return {
        port,
        binDir,
        conninfo,
        async createDatabase() {
            const name = `smoke_${++databases}`;
            await run(path.join(binDir, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo(), "-c", `CREATE DATABASE ${name} STRATEGY = FILE_COPY`]);
            return name;
        },
        stop,
    };
}

/** A loopback port where nothing listens (for the "never ready" case). */
export async function closedPort(): Promise<number> {
    return freePort();
}
