import * as fs from "fs";
import { ConfigError } from "../components/settings/config-error";
import { InputError } from "./input-error";
import { PlanOptions, PROJECT_DIR, runOfflinePlan } from "./offline-plan";
import { planJson, planSummary } from "./render";
import { knownStacks, parseOverride } from "./stack-config-files";

const USAGE = "usage: npm run -s plan -- --stack <stack> [--config key=value]... [--secret key=value]... [--outputs <file>] [--json]";

/** Where the command writes, and the environment it reads (npm's variables). */
export interface CommandIo {
    stdout(text: string): void;
    stderr(text: string): void;
    env: Record<string, string | undefined>;
}

interface CommandArgs {
    stack: string;
    config: Record<string, unknown>;
    secretConfig: Record<string, unknown>;
    /** The stack's last outputs (`pulumi stack output --json`), to plan a re-run or a backport. */
    previousOutputs?: Record<string, unknown>;
    json: boolean;
}

function parseArgs(argv: string[], projectDir: string): CommandArgs {
    let stack: string | undefined;
    const config: Record<string, unknown> = {};
    const secretConfig: Record<string, unknown> = {};
    let json = false;
    let previousOutputs: Record<string, unknown> | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) {
                throw new InputError(`${arg} needs a value; ${USAGE}`);
            }
            return argv[++i];
        };
        if (arg === "--stack" || arg === "-s") {
            stack = value();
        } else if (arg === "--config" || arg === "-c") {
            const [k, v] = parseOverride("--config", value());
            config[k] = v;
        } else if (arg === "--secret") {
            const [k, v] = parseOverride("--secret", value());
            secretConfig[k] = v;
        } else if (arg === "--outputs") {
            previousOutputs = readOutputsFile(value());
        } else if (arg === "--json") {
            json = true;
        } else {
            throw new InputError(`unknown argument ${arg}; ${USAGE}`);
        }
    }
    if (!stack) {
        throw new InputError(`--stack is required (known stacks: ${knownStacks(projectDir).join(", ")}); ${USAGE}`);
    }
    return { stack, config, secretConfig, previousOutputs, json };
}

function readOutputsFile(file: string): Record<string, unknown> {
    let value: unknown;
    try {
        value = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new InputError(`--outputs ${file}: ${(e as Error).message.split("\n")[0]}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new InputError(`--outputs ${file}: expected a JSON object, as \`pulumi stack output --json\` prints`);
    }
    return value as Record<string, unknown>;
}

/**
 * `npm run -s plan -- <argv>`: prints the plan (the summary, or with --json exactly one
 * JSON object) and returns the exit code. A user's mistake (bad argument, unknown stack,
 * unreadable stack file, bad config) is one line on stderr, nothing on stdout, code 2.
 * `options` are for tests (another project dir, the program loaded another way).
 */
export async function runPlanCommand(argv: string[], io: CommandIo, options: Pick<PlanOptions, "projectDir" | "loadProgram"> = {}): Promise<number> {
    try {
        const args = parseArgs(argv, options.projectDir ?? PROJECT_DIR);
        const plan = await runOfflinePlan({ ...options, ...args });
        io.stdout((args.json ? planJson(plan) : planSummary(plan)) + "\n");
        // npm prints its "> plan" banner on stdout unless silent: say why the JSON does not parse.
        if (args.json && io.env.npm_lifecycle_event === "plan" && io.env.npm_config_loglevel !== "silent") {
            io.stderr("note: npm printed its script banner on stdout before the JSON; `npm run -s plan -- …` prints the JSON alone\n");
        }
        return 0;
    } catch (err) {
        if (ConfigError.isInstance(err) || err instanceof InputError) {
            io.stderr(`${err.message}\n`);
            return 2;
        }
        io.stderr(`offline plan failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        return 1;
    }
}
