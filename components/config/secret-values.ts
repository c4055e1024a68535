/**
 * Keeps secret config values out of error messages. A message may quote a value whole
 * (`"hunter2" is not a SemVer version`), quote one element of it, or quote it as JSON
 * (escaped); every such form of every secret is replaced.
 */

/** What a message could quote of a secret's raw config string: the string, and each string or number inside its JSON. */
export function secretForms(raw: string): string[] {
    const forms = new Set<string>([raw]);
    const add = (v: unknown): void => {
        if (typeof v === "string" || typeof v === "number") {
            forms.add(String(v));
            forms.add(JSON.stringify(String(v)).slice(1, -1));
        } else if (Array.isArray(v)) {
            v.forEach(add);
        } else if (typeof v === "object" && v !== null) {
            Object.values(v).forEach(add);
        }
    };
    try {
        add(JSON.parse(raw));
    } catch {
        add(raw);
    }
    return [...forms].filter((f) => f !== "");
}

export const REDACTED = "[secret]";

/** `text` with every occurrence of `secrets` replaced by [secret], longest first, in one pass. */
export function redact(text: string, secrets: readonly string[]): string {
    if (secrets.length === 0) {
        return text;
    }
    const pattern = [...secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("|");
    return text.replace(new RegExp(pattern, "g"), REDACTED);
}
