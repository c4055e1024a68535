import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** Config as the Pulumi CLI would hand it to the program: full keys, JSON values, secret keys. */
export interface MergedConfig {
    /** `project:key` → value (objects and arrays as values, not strings). */
    values: Record<string, unknown>;
    /** Full keys whose value is (or contains) a secret. */
    secretKeys: string[];
    /** Full keys whose stack value is encrypted here and was replaced by a placeholder. */
    encrypted: string[];
}

/** Placeholder for a stack secret the offline plan cannot decrypt. */
export const SECRET_PLACEHOLDER = "[secret]";

interface ProjectFile {
    name: string;
    config?: Record<string, { default?: unknown } | string | number | boolean>;
}

export function readProject(projectDir: string): ProjectFile {
    return parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/**
 * Merges, in the CLI's order: the defaults of Pulumi.yaml's `config:` block, then
 * `Pulumi.<stack>.yaml`, then `overrides` (short keys are in the project's namespace).
 * `secure:` values are encrypted with the stack's secrets provider, which the offline
 * plan does not have: they become the secret placeholder.
 */
export function mergeStackConfig(projectDir: string, stack: string, overrides: Record<string, unknown> = {}): MergedConfig {
    const project = readProject(projectDir);
    const full = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const encrypted: string[] = [];

    for (const [key, decl] of Object.entries(project.config ?? {})) {
        // A bare value in the project's config block is a project-wide value; a declaration may carry a default.
        const value = typeof decl === "object" && decl !== null ? decl.default : decl;
        if (value !== undefined) {
            values[full(key)] = value;
        }
    }

    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new Error(`no stack file ${path.basename(stackFile)} in ${projectDir}`);
    }
    const stackConfig = (parse(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    for (const [key, value] of Object.entries(stackConfig)) {
        const k = full(key);
        const { value: plain, hadSecure } = replaceSecure(value);
        values[k] = plain;
        if (hadSecure) {
            secretKeys.add(k);
            encrypted.push(k);
        }
    }

    for (const [key, value] of Object.entries(overrides)) {
        values[full(key)] = value;
    }
    return { values, secretKeys: [...secretKeys], encrypted };
}

function replaceSecure(value: unknown): { value: unknown; hadSecure: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(replaceSecure);
        return { value: items.map((i) => i.value), hadSecure: items.some((i) => i.hadSecure) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            return { value: SECRET_PLACEHOLDER, hadSecure: true };
        }
        let hadSecure = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            const r = replaceSecure(v);
            out[k] = r.value;
            hadSecure ||= r.hadSecure;
        }
        return { value: out, hadSecure };
    }
    return { value, hadSecure: false };
}

/** The string form the Pulumi runtime stores: strings as-is, everything else as JSON. */
export function toRuntimeConfig(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** `key=value` from the command line: a value that parses as JSON is taken as JSON. */
export function parseOverride(arg: string): [string, unknown] {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
        throw new Error(`--config takes key=value, got "${arg}"`);
    }
    const key = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    try {
        return [key, JSON.parse(raw)];
    } catch {
        return [key, raw];
    }
}
