import { ConfigError } from "../components/settings/config-error";
import { runOfflinePlan } from "./offline-plan";
import { planJson, planSummary } from "./render";
import { parseOverride } from "./stack-config-files";

const USAGE =
    "usage: npm run plan -- --stack <dev|release> [--config key=value]... [--secret key=value]... [--outputs <file>] [--json]";

interface CliArgs {
    stack: string;
    config: Record<string, unknown>;
    secretConfig: Record<string, unknown>;
    /** The stack's last outputs (`pulumi stack output --json`), to plan a re-run or a backport. */
    previousOutputs?: Record<string, unknown>;
    json: boolean;
}

function parseArgs(argv: string[]): CliArgs {
    let stack: string | undefined;
    const config: Record<string, unknown> = {};
    const secretConfig: Record<string, unknown> = {};
    let json = false;
    let previousOutputs: Record<string, unknown> | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) {
                throw new UsageError(`${arg} needs a value`);
            }
            return argv[++i];
        };
        if (arg === "--stack" || arg === "-s") {
            stack = value();
        } else if (arg === "--config" || arg === "-c") {
            const [k, v] = override(value());
            config[k] = v;
        } else if (arg === "--secret") {
            const [k, v] = override(value());
            secretConfig[k] = v;
        } else if (arg === "--outputs") {
            previousOutputs = readOutputsFile(value());
        } else if (arg === "--json") {
            json = true;
        } else {
            throw new UsageError(`unknown argument ${arg}`);
        }
    }
    if (!stack) {
        throw new UsageError("--stack is required");
    }
    return { stack, config, secretConfig, previousOutputs, json };
}

function readOutputsFile(file: string): Record<string, unknown> {
    let value: unknown;
    try {
        value = JSON.parse(require("fs").readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`--outputs ${file}: ${(e as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new UsageError(`--outputs ${file}: expected a JSON object, as \`pulumi stack output --json\` prints`);
    }
    return value as Record<string, unknown>;
}

class UsageError extends Error {}

function override(arg: string): [string, unknown] {
    try {
        return parseOverride(arg);
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const plan = await runOfflinePlan({
        stack: args.stack,
        config: args.config,
        secretConfig: args.secretConfig,
        previousOutputs: args.previousOutputs,
    });
    if (args.json) {
        process.stdout.write(planJson(plan) + "\n");
    } else {
        process.stdout.write(planSummary(plan) + "\n");
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        // Bad input: one line naming what to fix, nothing on stdout, exit 2.
        if (ConfigError.isInstance(err) || err instanceof UsageError) {
            process.stderr.write(`${err.message}${err instanceof UsageError ? `\n${USAGE}` : ""}\n`);
            process.exit(2);
        }
        process.stderr.write(`offline plan failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(1);
    },
);
