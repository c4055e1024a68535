// Loads the project's TypeScript for the offline plan without type-checking it:
// esbuild strips types per file, which keeps the plan inside its time budget.
// Type-checking is `npm run typecheck` (part of `npm test`). Transpiled files are
// cached by path, size and mtime, so a warm run does not even start esbuild; V8's
// compiled code of every module (the Pulumi SDKs are most of the plan's time) is
// cached by v8-compile-cache (Node 20 has no built-in module compile cache).
require("v8-compile-cache");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

// OFFLINE_PLAN_CACHE_DIR: another cache directory (the tests start plans on an empty one).
const cacheDir = process.env.OFFLINE_PLAN_CACHE_DIR || path.join(__dirname, "..", "node_modules", ".cache", "offline-plan");
let esbuild;
// Bump when the transform options or the entries change, so old entries are not reused
// (3: entries are written atomically; an older one may be a truncated write).
const OPTIONS_VERSION = 3;

function transpile(filename, source) {
    esbuild ??= require("esbuild");
    return esbuild.transformSync(source, {
        loader: "ts",
        format: "cjs",
        target: "node20",
        // `import()` becomes `require()`, as tsc's CommonJS output (and Pulumi's ts-node) does.
        supported: { "dynamic-import": false },
        sourcefile: filename,
        sourcemap: "inline",
    }).code;
}

require.extensions[".ts"] = (module, filename) => {
    const stat = fs.statSync(filename);
    const key = crypto.createHash("sha1").update(`${OPTIONS_VERSION}\0${filename}\0${stat.size}\0${stat.mtimeMs}`).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    let code;
    try {
        code = fs.readFileSync(cached, "utf8");
    } catch {
        code = transpile(filename, fs.readFileSync(filename, "utf8"));
        // Plans started at once share the cache: write a private file and rename it into
        // place (atomic within a directory), so a reader finds no entry or a whole one.
        const temp = `${cached}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`;
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            fs.writeFileSync(temp, code);
            fs.renameSync(temp, cached);
        } catch {
            // A read-only tree only loses the cache.
            fs.rmSync(temp, { force: true });
        }
    }
    module._compile(code, filename);
};
