// Preloaded (`node -r`) into the plans test/plan-cli.test.ts starts at once on an empty
// transpile cache: each write into OFFLINE_PLAN_CACHE_DIR lands in two halves 25 ms
// apart, like a slow disk, so a cache entry written in place would be read half-written
// by the other plans. Widens the race plan/register-ts.cjs must not have.
const fs = require("fs");

const dir = process.env.OFFLINE_PLAN_CACHE_DIR;
const writeFileSync = fs.writeFileSync;
const pause = new Int32Array(new SharedArrayBuffer(4));
fs.writeFileSync = function (file, data, options) {
    if (!dir || typeof file !== "string" || !file.startsWith(dir)) {
        return writeFileSync.apply(this, arguments);
    }
    const text = String(data);
    writeFileSync(file, text.slice(0, text.length / 2));
    Atomics.wait(pause, 0, 0, 25);
    writeFileSync(file, text.slice(text.length / 2), { flag: "a" });
};
