import { runPlanCommand } from "./plan-command";

// `npm run -s plan -- …` (package.json): the offline plan's command line. It exits
// explicitly: a cold transpile cache leaves esbuild's service running.
runPlanCommand(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
}).then((code) => process.exit(code));
