import * as fs from "fs";
import * as path from "path";

/** The image's defaults, the file the Dockerfile appends to postgresql.conf.sample. */
export const IMAGE_CONF = fs.readFileSync(path.resolve(__dirname, "..", "..", "docker", "files", "pg_trickle.conf"), "utf8");

/** `name = value` settings of a postgresql.conf text, values unquoted. */
export function confSettings(text: string): Map<string, string> {
    const settings = new Map<string, string>();
    for (const line of text.split("\n")) {
        const m = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*('(?:[^'\\]|''|\\.)*'|[^\s'#]+)\s*(#.*)?$/.exec(line);
        if (m) {
            settings.set(m[1], m[2].startsWith("'") ? m[2].slice(1, -1).replace(/''/g, "'") : m[2]);
        }
    }
    return settings;
}
