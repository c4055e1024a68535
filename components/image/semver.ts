/** A parsed SemVer 2.0.0 version (https://semver.org). */
export interface SemVer {
    major: number;
    minor: number;
    patch: number;
    /** Dot-separated pre-release identifiers (`["rc", "1"]`); empty for a stable release. */
    prerelease: string[];
    /** Build metadata after `+`; empty when absent. */
    build: string;
    raw: string;
}

const NUMERIC = "0|[1-9]\\d*";
const PRERELEASE_ID = "(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)";
const SEMVER_RE = new RegExp(
    `^(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})` +
        `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
        `(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`,
);

/** Parses a strict SemVer string (no leading `v`); returns undefined when it is not one. */
export function parseSemVer(text: string): SemVer | undefined {
    const m = SEMVER_RE.exec(text);
    if (!m) {
        return undefined;
    }
    return {
        major: Number(m[1]),
        minor: Number(m[2]),
        patch: Number(m[3]),
        prerelease: m[4] ? m[4].split(".") : [],
        build: m[5] ?? "",
        raw: text,
    };
}

export function isStable(v: SemVer): boolean {
    return v.prerelease.length === 0;
}

/** SemVer precedence: negative when a < b, 0 when equal (build metadata ignored), positive when a > b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
    const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
    if (core !== 0) {
        return Math.sign(core);
    }
    // A pre-release sorts before the release it leads to.
    if (a.prerelease.length === 0 || b.prerelease.length === 0) {
        return b.prerelease.length - a.prerelease.length === 0 ? 0 : a.prerelease.length === 0 ? 1 : -1;
    }
    for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
        const cmp = comparePrereleaseId(a.prerelease[i], b.prerelease[i]);
        if (cmp !== 0) {
            return cmp;
        }
    }
    return Math.sign(a.prerelease.length - b.prerelease.length);
}

function comparePrereleaseId(a: string, b: string): number {
    const an = /^\d+$/.test(a);
    const bn = /^\d+$/.test(b);
    if (an && bn) {
        return Math.sign(Number(a) - Number(b));
    }
    if (an !== bn) {
        // Numeric identifiers have lower precedence than alphanumeric ones.
        return an ? -1 : 1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}
