import { describe, expect, it } from "vitest";
import { compareSemVer, parseSemVer, SemVer } from "../components/image/semver";
import { imageTags } from "../components/image/tag-policy";
import { recordPublished } from "../components/release/release-record";

const v = (text: string): SemVer => {
    const parsed = parseSemVer(text);
    if (!parsed) throw new Error(`bad test version ${text}`);
    return parsed;
};
const tagsOf = (version: string, opts: { pgMajor?: number; newest?: number; published?: string[]; repos?: string[] } = {}) =>
    imageTags({
        version: v(version),
        pgMajor: opts.pgMajor ?? 18,
        newestPgMajor: opts.newest ?? 18,
        repositories: opts.repos ?? ["docker.io/pgtrickle/pg_trickle"],
        publishedVersions: (opts.published ?? []).map(v),
    }).map((t) => t.tag);

describe("tag policy", () => {
    it.each([
        // version, expected tags (one repository, PG 18 is the newest major)
        ["1.0.0", ["1.0.0-pg18", "1.0-pg18", "1-pg18", "pg18", "latest"]],
        ["2.3.4", ["2.3.4-pg18", "2.3-pg18", "2-pg18", "pg18", "latest"]],
        // X-pgNN only when X >= 1: a 0.x line promises no compatibility across minors.
        ["0.67.0", ["0.67.0-pg18", "0.67-pg18", "pg18", "latest"]],
        // A pre-release gets only its exact tag.
        ["1.3.0-rc.1", ["1.3.0-rc.1-pg18"]],
        ["2.0.0-alpha", ["2.0.0-alpha-pg18"]],
    ])("%s gets %j", (version, expected) => {
        expect(tagsOf(version)).toEqual(expected);
    });

    it("gives latest only to the newest PG major built", () => {
        expect(tagsOf("1.0.0", { pgMajor: 17, newest: 18 })).toEqual(["1.0.0-pg17", "1.0-pg17", "1-pg17", "pg17"]);
        expect(tagsOf("1.0.0", { pgMajor: 18, newest: 18 })).toContain("latest");
    });

    it("gives every repository the same tags, fully qualified", () => {
        const tags = imageTags({
            version: v("1.0.0"),
            pgMajor: 18,
            newestPgMajor: 18,
            repositories: ["docker.io/pgtrickle/pg_trickle", "ghcr.io/trickle-labs/pg_trickle"],
        });
        expect(tags.map((t) => t.reference)).toEqual([
            "docker.io/pgtrickle/pg_trickle:1.0.0-pg18",
            "docker.io/pgtrickle/pg_trickle:1.0-pg18",
            "docker.io/pgtrickle/pg_trickle:1-pg18",
            "docker.io/pgtrickle/pg_trickle:pg18",
            "docker.io/pgtrickle/pg_trickle:latest",
            "ghcr.io/trickle-labs/pg_trickle:1.0.0-pg18",
            "ghcr.io/trickle-labs/pg_trickle:1.0-pg18",
            "ghcr.io/trickle-labs/pg_trickle:1-pg18",
            "ghcr.io/trickle-labs/pg_trickle:pg18",
            "ghcr.io/trickle-labs/pg_trickle:latest",
        ]);
        expect(tags.map((t) => t.kind).slice(0, 5)).toEqual(["exact", "minor", "major", "pg", "latest"]);
    });

    describe("never moves a tag backwards", () => {
        it.each([
            // version, published before, expected tags
            ["1.2.4", ["1.3.0"], ["1.2.4-pg18", "1.2-pg18"]], // backport: only its own minor line
            ["1.2.4", ["1.2.5", "1.3.0"], ["1.2.4-pg18"]], // an older patch of a line: only its exact tag
            ["1.2.4", ["2.0.0"], ["1.2.4-pg18", "1.2-pg18", "1-pg18"]], // newest of major 1, not of all
            ["1.3.1", ["1.3.0", "1.2.9"], ["1.3.1-pg18", "1.3-pg18", "1-pg18", "pg18", "latest"]], // a normal release
            ["1.3.0", ["1.3.0"], ["1.3.0-pg18", "1.3-pg18", "1-pg18", "pg18", "latest"]], // re-running a release converges
            ["1.3.1", ["2.0.0-rc.1"], ["1.3.1-pg18", "1.3-pg18", "1-pg18", "pg18", "latest"]], // pre-releases own no floating tag
            ["0.66.3", ["0.67.0"], ["0.66.3-pg18", "0.66-pg18"]],
        ])("%s after %j gets %j", (version, published, expected) => {
            expect(tagsOf(version, { published })).toEqual(expected);
        });
    });

    it("records published versions sorted and without repeats", () => {
        expect(recordPublished([v("1.3.0"), v("1.2.4")], v("1.2.5"))).toEqual(["1.2.4", "1.2.5", "1.3.0"]);
        expect(recordPublished([v("1.3.0")], v("1.3.0"))).toEqual(["1.3.0"]);
    });
});

describe("semver", () => {
    it.each(["1.0.0", "0.67.0", "1.3.0-rc.1", "1.0.0-alpha.beta.1", "1.0.0+build.5", "10.20.30"])("parses %s", (text) => {
        expect(parseSemVer(text)?.raw).toBe(text);
    });
    it.each(["v1.0.0", "1.0", "1", "01.0.0", "1.0.0-", "1.0.0-01", "latest", "", "1.0.0 "])("rejects %j", (text) => {
        expect(parseSemVer(text)).toBeUndefined();
    });
    it.each([
        ["1.0.0", "2.0.0", -1],
        ["1.10.0", "1.9.0", 1],
        ["1.0.0-rc.1", "1.0.0", -1],
        ["1.0.0-rc.2", "1.0.0-rc.10", -1],
        ["1.0.0-alpha", "1.0.0-alpha.1", -1],
        ["1.0.0-1", "1.0.0-alpha", -1],
        ["1.0.0+a", "1.0.0+b", 0],
    ])("compares %s to %s as %i", (a, b, expected) => {
        expect(compareSemVer(v(a), v(b))).toBe(expected);
        expect(compareSemVer(v(b), v(a))).toBe(-expected || 0);
    });
});
