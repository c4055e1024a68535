import { isPlainObject } from "../components/settings/config-values";
import { InputError } from "./input-error";

/** One step into a setting's value: an object key or a list index. */
export type PathStep = string | number;

/** A `--config` key read as `pulumi config set --path` reads it. */
export interface ConfigPath {
    /** The setting: `cnpg`, or a namespaced key such as `pg-trickle-infra:cnpg`. */
    key: string;
    /** Steps into its value; none to set the whole value. */
    steps: PathStep[];
}

const EXAMPLES = 'cnpg.enabled, builders["linux/arm64"], platforms[0]';

/**
 * Parses `cnpg.enabled`, `builders["linux/arm64"]`, `registries["localhost:5001"].username`
 * or `platforms[0]`: dotted names, `["quoted"]` names (for names with dots, slashes or
 * colons) and list indices. A namespace (`pg-trickle-infra:`) belongs to the first name.
 */
export function parseConfigPath(text: string): ConfigPath {
    const steps: PathStep[] = [];
    let rest = text;
    while (rest !== "") {
        const name = steps.length === 0 ? /^([^.[\]"]+)/.exec(rest) : (/^\.([^.[\]"]+)/.exec(rest) ?? /^\["([^"]*)"\]/.exec(rest));
        const index = steps.length === 0 ? null : /^\[(\d+)\]/.exec(rest);
        const m = name ?? index;
        if (!m) {
            throw new InputError(`"${text}" is not a config path at "${rest}"; write paths as pulumi config set --path does: ${EXAMPLES}`);
        }
        steps.push(name ? m[1] : Number(m[1]));
        rest = rest.slice(m[0].length);
    }
    if (steps.length === 0) {
        throw new InputError(`a --config key is empty; give a setting or a path such as ${EXAMPLES}`);
    }
    const [key, ...below] = steps;
    return { key: key as string, steps: below };
}

/** The path written back: `cnpg.storage.size`, `builders["linux/arm64"]`, `platforms[0]`. */
export function formatConfigPath(key: string, steps: readonly PathStep[]): string {
    return key + steps.map((s) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `["${s}"]`)).join("");
}

/**
 * `current` with `leaf` set at `path`, as `pulumi config set --path` does: the setting's
 * other fields stay, and missing objects (lists, for an index) are created on the way.
 * `current` is not modified. Throws an InputError when a step cannot be taken.
 */
export function setAtPath(current: unknown, path: ConfigPath, leaf: unknown): unknown {
    const cannot = (depth: number, why: string) =>
        new InputError(`cannot set ${formatConfigPath(path.key, path.steps)}: ${formatConfigPath(path.key, path.steps.slice(0, depth))} ${why}`);
    const set = (value: unknown, depth: number): unknown => {
        if (depth === path.steps.length) {
            return leaf;
        }
        const step = path.steps[depth];
        if (typeof step === "number") {
            const list = value ?? [];
            if (!Array.isArray(list)) {
                throw cannot(depth, `is ${JSON.stringify(value)}, not a list`);
            }
            if (step > list.length) {
                throw cannot(depth, `has ${list.length} item(s); index ${step} would leave a gap`);
            }
            const copy = [...list];
            copy[step] = set(list[step], depth + 1);
            return copy;
        }
        const object = value ?? {};
        if (!isPlainObject(object)) {
            throw cannot(depth, `is ${JSON.stringify(value)}, not an object`);
        }
        return { ...object, [step]: set(object[step], depth + 1) };
    };
    return set(current, 0);
}
