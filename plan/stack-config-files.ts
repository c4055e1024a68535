import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { closestName } from "../components/settings/closest-name";
import { isPlainObject } from "../components/settings/config-values";
import { parseConfigPath, setAtPath } from "./config-path";
import { displayPath, InputError } from "./input-error";

/** Config as the Pulumi CLI would hand it to the program: full keys, JSON values, secret keys. */
export interface MergedConfig {
    /** `project:key` → value (objects and arrays as values, not strings). */
    values: Record<string, unknown>;
    /** Full keys whose value is (or contains) a secret. */
    secretKeys: string[];
    /** What the offline plan could not read from the stack file (encrypted values, an ESC environment). */
    unread: string[];
}

/** Placeholder for a stack secret the offline plan cannot decrypt. */
export const SECRET_PLACEHOLDER = "[secret]";

interface ProjectFile {
    name: string;
    config?: Record<string, { default?: unknown } | string | number | boolean>;
}

/** The top-level keys of a stack file (Pulumi's stack settings file reference). */
export const STACK_FILE_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"] as const;

export function readProject(projectDir: string): ProjectFile {
    return readYaml(path.join(projectDir, "Pulumi.yaml")).value as ProjectFile;
}

/** Stacks that have a settings file in the project: `Pulumi.<stack>.yaml`. */
export function knownStacks(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Merges, in the CLI's order: the defaults of Pulumi.yaml's `config:` block, then
 * `Pulumi.<stack>.yaml`, then `overrides`, then `secretOverrides` (whose settings become
 * secret). Override keys are paths as `pulumi config set --path` takes them
 * (`cnpg.enabled`, `builders["linux/arm64"]`), merged into the setting's value; short
 * keys are in the project's namespace. `secure:` values are encrypted with the stack's
 * secrets provider, which the offline plan does not have: they become the placeholder.
 * Throws an InputError for an unknown stack or a stack file that is not a stack file.
 */
export function mergeStackConfig(
    projectDir: string,
    stack: string,
    overrides: Record<string, unknown> = {},
    secretOverrides: Record<string, unknown> = {},
): MergedConfig {
    const project = readProject(projectDir);
    const full = (key: string, where: string) => {
        const namespace = key.includes(":") ? key.slice(0, key.indexOf(":")) : project.name;
        // Another project's or a provider's settings are theirs; a misspelt project name would be silently unused.
        if (namespace !== project.name && closestName(namespace, [project.name])) {
            throw new InputError(`${where}: "${key}" is not in this project's namespace; did you mean ${project.name}:${key.slice(namespace.length + 1)}?`);
        }
        return key.includes(":") ? key : `${project.name}:${key}`;
    };
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const unread: string[] = [];

    for (const [key, decl] of Object.entries(project.config ?? {})) {
        // A bare value in the project's config block is a project-wide value; a declaration may carry a default.
        const value = typeof decl === "object" && decl !== null ? decl.default : decl;
        if (value !== undefined) {
            values[full(key, "Pulumi.yaml")] = value;
        }
    }

    const stackFile = readStackFile(projectDir, stack);
    for (const [key, value] of Object.entries(stackFile.config)) {
        const k = full(key, stackFile.name);
        const { value: plain, hadSecure } = replaceSecure(value);
        values[k] = plain;
        if (hadSecure) {
            secretKeys.add(k);
            unread.push(`${k}: encrypted in the stack file, planned with a placeholder secret`);
        }
    }
    if (stackFile.environment) {
        unread.push(`${stackFile.name}: its environment (Pulumi ESC) is not read offline; settings it provides are missing from this plan`);
    }

    for (const [secret, entries] of [[false, overrides] as const, [true, secretOverrides] as const]) {
        for (const [text, value] of Object.entries(entries)) {
            const p = parseConfigPath(text);
            const k = full(p.key, secret ? "--secret" : "--config");
            values[k] = setAtPath(values[k], p, value);
            if (secret) {
                secretKeys.add(k);
            }
        }
    }
    return { values, secretKeys: [...secretKeys], unread };
}

interface StackFile {
    /** The file name as the user would type it. */
    name: string;
    config: Record<string, unknown>;
    environment: boolean;
}

function readStackFile(projectDir: string, stack: string): StackFile {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = knownStacks(projectDir);
        throw new InputError(
            `unknown stack "${stack}": there is no ${displayPath(file)}; known stacks: ${known.join(", ") || "none"}`,
        );
    }
    const { value, keyLines } = readYaml(file);
    const name = displayPath(file);
    if (value === null || value === undefined) {
        return { name, config: {}, environment: false };
    }
    if (!isPlainObject(value)) {
        throw new InputError(`${name}: a stack file is a mapping (config: …), not ${Array.isArray(value) ? "a list" : JSON.stringify(value)}`);
    }
    for (const key of Object.keys(value)) {
        if (!(STACK_FILE_KEYS as readonly string[]).includes(key)) {
            const close = closestName(key, STACK_FILE_KEYS);
            const fix = close ? `did you mean ${close}?` : `settings go under config: (config: {${key}: …})`;
            throw new InputError(`${name}:${keyLines.get(key)}: "${key}" is not a stack file key (${STACK_FILE_KEYS.join(", ")}); ${fix}`);
        }
    }
    const config = value.config ?? {};
    if (!isPlainObject(config)) {
        throw new InputError(`${name}:${keyLines.get("config")}: config must map settings to values, got ${JSON.stringify(config)}`);
    }
    return { name, config, environment: value.environment !== undefined };
}

/** A YAML file's value and the line of each top-level key; a syntax error names the file, line and column. */
function readYaml(file: string): { value: unknown; keyLines: Map<string, number> } {
    const lineCounter = new LineCounter();
    const doc = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter });
    const error = doc.errors[0];
    if (error) {
        const at = error.linePos?.[0];
        // yaml's message ends with " at line L, column C:" and a snippet; the position leads instead.
        const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new InputError(`${displayPath(file)}${at ? `:${at.line}:${at.col}` : ""}: ${reason}`);
    }
    const keyLines = new Map<string, number>();
    if (isMap(doc.contents)) {
        for (const pair of doc.contents.items) {
            if (isScalar(pair.key) && pair.key.range) {
                keyLines.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line);
            }
        }
    }
    return { value: doc.toJS(), keyLines };
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

/**
 * `key=value` from the command line (`flag` is `--config` or `--secret`): the key is a
 * config path, a value that parses as JSON is taken as JSON. A `--secret` argument is
 * never echoed.
 */
export function parseOverride(flag: "--config" | "--secret", arg: string): [string, unknown] {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
        throw new InputError(`${flag} takes key=value${flag === "--config" ? `, got "${arg}"` : " (the value is not shown)"}`);
    }
    const key = arg.slice(0, eq);
    parseConfigPath(key);
    const raw = arg.slice(eq + 1);
    try {
        return [key, JSON.parse(raw)];
    } catch {
        return [key, raw];
    }
}
