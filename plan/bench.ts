import { spawnSync } from "child_process";
import * as path from "path";

// Measures the offline plan against the floor it cannot beat: loading @pulumi/pulumi.
// `npm run bench [-- runs]`: median wall time of each command over several runs.

const ROOT = path.resolve(__dirname, "..");
const runs = Number(process.argv[2] ?? 7);
const BUDGET_MS = 2000;

function timeOnce(args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) {
        throw new Error(`node ${args.join(" ")} failed: ${r.stderr}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e6;
}

const commands: [string, string[]][] = [
    ["bare require('@pulumi/pulumi')", ["-e", "require('@pulumi/pulumi')"]],
    ["plan --stack dev --json", ["-r", "./plan/register-ts.cjs", "plan/cli.ts", "--stack", "dev", "--json"]],
    ["plan --stack release --json", ["-r", "./plan/register-ts.cjs", "plan/cli.ts", "--stack", "release", "--json"]],
];

// Interleaved, so a busy machine slows every command alike; one warm-up round first
// (OS file cache, transpile cache).
const times: number[][] = commands.map(() => []);
for (let round = 0; round <= runs; round++) {
    commands.forEach(([, args], i) => {
        const ms = timeOnce(args);
        if (round > 0) {
            times[i].push(ms);
        }
    });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = median(times[0]);
console.log(`${commands[0][0]}: ${baseline.toFixed(0)} ms (median of ${runs})`);
let over = false;
for (let i = 1; i < commands.length; i++) {
    const ms = median(times[i]);
    over ||= ms > BUDGET_MS;
    console.log(`${commands[i][0]}: ${ms.toFixed(0)} ms, ${(ms / baseline).toFixed(2)}x the bare require (budget ${BUDGET_MS} ms)`);
}
process.exit(over ? 1 : 0);
