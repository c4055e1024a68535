import { ConfigError } from "./config-error";

/**
 * Typed readers over raw config strings (`pulumi config` hands every value to the
 * program as a string; arrays and objects as JSON). Each names its key on error.
 */

export function parseBoolean(key: string, raw: string): boolean {
    if (raw === "true" || raw === "false") {
        return raw === "true";
    }
    throw new ConfigError(key, `must be true or false, got "${raw}"`);
}

export function parseInteger(key: string, raw: string, min: number): number {
    if (!/^-?\d+$/.test(raw.trim()) || Number(raw) < min) {
        throw new ConfigError(key, `must be an integer >= ${min}, got "${raw}"`);
    }
    return Number(raw);
}

export function parseJson(key: string, raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        throw new ConfigError(key, `must be JSON (an array or object), got "${raw}"`);
    }
}

export function parseStringArray(key: string, raw: string): string[] {
    const value = parseJson(key, raw);
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        throw new ConfigError(key, `must be an array of strings, got ${raw}`);
    }
    return value;
}

export function parseIntegerArray(key: string, raw: string): number[] {
    const value = parseJson(key, raw);
    if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) {
        throw new ConfigError(key, `must be an array of integers, got ${raw}`);
    }
    return value;
}

/** A JSON object whose values are all strings (a map such as `builders`). */
export function parseStringMap(key: string, raw: string): Record<string, string> {
    const value = parseJson(key, raw);
    if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === "string" && v !== "")) {
        throw new ConfigError(key, `must be an object mapping names to non-empty strings, got ${raw}`);
    }
    return value as Record<string, string>;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Rejects a list with repeated entries (a repeated tag or platform would clash as a resource name). */
export function requireUnique<T>(key: string, values: readonly T[]): void {
    const seen = new Set<T>();
    for (const v of values) {
        if (seen.has(v)) {
            throw new ConfigError(key, `lists ${JSON.stringify(v)} twice`);
        }
        seen.add(v);
    }
}
