import * as fs from "fs";
import * as path from "path";
import { CommandResult, runCommand, tail } from "./run-command";

export interface PulumiCliOptions {
    /** The `pulumi` binary. */
    bin: string;
    /** The program's directory (a copy of the project under the run directory). */
    projectDir: string;
    /** Environment of every command: PATH with the plugins, PULUMI_HOME, DOCKER_HOST, … */
    env: NodeJS.ProcessEnv;
    /** Where each command's output is appended. */
    logFile: string;
}

/** The real Pulumi CLI, driven as a user drives it; every command and its output go to one log. */
export class PulumiCli {
    constructor(private readonly o: PulumiCliOptions) {}

    /** Runs `pulumi <args>`; never throws for a non-zero exit (the caller decides). */
    run(args: string[], stdin?: string): Promise<CommandResult> {
        return runCommand(this.o.bin, args, { cwd: this.o.projectDir, env: this.o.env, logFile: this.o.logFile, stdin });
    }

    /** Like `run`, but a non-zero exit is an error naming the command and its last lines. */
    async must(args: string[], stdin?: string): Promise<CommandResult> {
        const r = await this.run(args, stdin);
        if (r.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${tail(r, 15)}`);
        }
        return r;
    }

    /**
     * Sets one setting as a user would: `pulumi config set <key> <value>` for a scalar; a list
     * or map is removed and set again leaf by leaf with `--path` (`repositories[0]`,
     * `buildContexts["builder"]`), since top-level values are always strings.
     */
    async configSet(stack: string, key: string, value: unknown, opts: { path?: boolean } = {}): Promise<void> {
        if (typeof value !== "object" || value === null) {
            await this.must(["config", "set", "-s", stack, ...(opts.path ? ["--path"] : []), key, "--", String(value)]);
            return;
        }
        await this.run(["config", "rm", "-s", stack, key]);
        for (const [leaf, v] of leaves(key, value)) {
            await this.must(["config", "set", "-s", stack, "--path", leaf, "--", String(v)]);
        }
    }

    /** `pulumi config set --secret`, the value through stdin as the release workflow does: never on a command line. */
    async configSetSecret(stack: string, path: string, value: string): Promise<void> {
        await this.must(["config", "set", "-s", stack, "--secret", "--path", path], value);
    }

    async outputs(stack: string): Promise<Record<string, unknown>> {
        return JSON.parse((await this.must(["stack", "output", "-s", stack, "--json"])).stdout) as Record<string, unknown>;
    }

    /** An event log path for one command, under the run directory. */
    eventLog(name: string): string {
        const file = path.join(path.dirname(this.o.logFile), `events-${name}.jsonl`);
        fs.rmSync(file, { force: true });
        return file;
    }
}

/** `[path, value]` of every scalar inside a list or map, in `--path` syntax. */
function leaves(prefix: string, value: unknown): [string, unknown][] {
    if (typeof value !== "object" || value === null) {
        return [[prefix, value]];
    }
    return Object.entries(value).flatMap(([k, v]) => leaves(Array.isArray(value) ? `${prefix}[${k}]` : `${prefix}[${JSON.stringify(k)}]`, v));
}
