import * as path from "path";

/**
 * A mistake in what the user gave the offline plan: its arguments or the project's
 * YAML files (a ConfigError is the other kind: a setting's value). The message is one
 * line naming what to fix; the CLI prints it alone and exits 2.
 */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
    }
}

/** `file` as the user would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
