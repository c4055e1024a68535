import { spawn } from "child_process";
import * as fs from "fs";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

/** Runs a command, appending the command line and its output to `logFile`; never rejects for a non-zero exit. */
export function runCommand(
    cmd: string,
    args: string[],
    o: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv; stdin?: string },
): Promise<CommandResult> {
    const started = Date.now();
    fs.appendFileSync(o.logFile, `\n$ ${cmd} ${args.join(" ")}\n`);
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => {
            stdout += d;
            fs.appendFileSync(o.logFile, d);
        });
        child.stderr.on("data", (d: Buffer) => {
            stderr += d;
            fs.appendFileSync(o.logFile, d);
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
        child.stdin.end(o.stdin ?? "");
    });
}

/** The last lines of a failed command's output, for an error message. */
export function tail(r: CommandResult, lines = 20): string {
    return `${r.stdout}${r.stderr}`.trim().split("\n").slice(-lines).join("\n");
}
