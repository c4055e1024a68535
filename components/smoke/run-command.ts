/** Outcome of a finished (or killed) command; never thrown, the caller decides. */
export interface CommandResult {
    /** Exit code; null when killed (e.g. by the timeout). */
    code: number | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    /** The program could not be started (e.g. not installed). */
    spawnError?: string;
}

/**
 * Runs a program without a shell (arguments are never re-parsed). Node built-ins are
 * fetched inside the function so the dynamic provider's serialized closure stays small.
 */
export function runCommand(argv: string[], opts: { timeoutMs: number; env?: Record<string, string> }): Promise<CommandResult> {
    const { execFile } = process.getBuiltinModule("child_process");
    return new Promise((resolve) => {
        execFile(
            argv[0],
            argv.slice(1),
            { timeout: opts.timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...opts.env } },
            (err, stdout, stderr) => {
                const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
                resolve({
                    code: e ? (typeof e.code === "number" ? e.code : null) : 0,
                    stdout: String(stdout),
                    stderr: String(stderr),
                    timedOut: e?.killed === true,
                    spawnError: e && typeof e.code === "string" ? `${argv[0]}: ${e.code}` : undefined,
                });
            },
        );
    });
}

/** What a failed command said, in one line, for error messages. */
export function commandFailure(argv0: string, r: CommandResult, timeoutMs: number): string {
    if (r.spawnError) {
        return `cannot run ${r.spawnError}`;
    }
    if (r.timedOut) {
        return `${argv0} did not finish within ${timeoutMs / 1000} s`;
    }
    const said = r.stderr.trim() || r.stdout.trim();
    return said ? said.replace(/\s+/g, " ") : `${argv0} exited with code ${r.code}`;
}
