import { ConfigError } from "../components/config/config-error";
import { runOfflinePlan } from "./offline-plan";
import { planJson, planSummary } from "./render";
import { parseOverride } from "./stack-config-files";

const USAGE = "usage: npm run plan -- --stack <dev|release> [--config key=value]... [--secret key=value]... [--json]";

interface CliArgs {
    stack: string;
    config: Record<string, unknown>;
    secretConfig: Record<string, unknown>;
    json: boolean;
}

function parseArgs(argv: string[]): CliArgs {
    let stack: string | undefined;
    const config: Record<string, unknown> = {};
    const secretConfig: Record<string, unknown> = {};
    let json = false;
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
        } else if (arg === "--json") {
            json = true;
        } else {
            throw new UsageError(`unknown argument ${arg}`);
        }
    }
    if (!stack) {
        throw new UsageError("--stack is required");
    }
    return { stack, config, secretConfig, json };
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
    const plan = await runOfflinePlan({ stack: args.stack, config: args.config, secretConfig: args.secretConfig });
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
