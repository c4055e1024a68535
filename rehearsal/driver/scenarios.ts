import { changed, overlapped, readSteps } from "./engine-events";
import type { PulumiCli } from "./pulumi-cli";
import { RegistryApi } from "./registry-api";
import type { ScenarioResult } from "./report";

/** What the scenarios need from the environment. */
export interface Rehearsal {
    cli: PulumiCli;
    /** The two registries the release stack publishes to (two repositories). */
    registries: [RegistryApi, RegistryApi];
    /** The platforms this machine builds (`linux/amd64`, and `linux/arm64` when QEMU runs it). */
    platforms: string[];
    /** Pushes the test double packaged as `version` (or a broken one); the named context for the builder stage. */
    double(version: string, opts?: { broken?: boolean }): Promise<string>;
    /** Pushes the base stand-in (a new revision gives a new digest); its index digest. */
    base(revision: number): Promise<string>;
    /** The digest of the base stand-in the stacks start with. */
    baseDigest: string;
    /** git URL of pg_trickle's source at `v<version>`, and the commit the tag points to. */
    source(version: string): Promise<{ url: string; revision: string }>;
    /** Runs the docker CLI against the rehearsal's engine. */
    docker(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
    /** Records how long a command took, for the report. */
    timed(what: string, seconds: number): void;
    /** Facts for the report. */
    fact(text: string): void;
}

export const RELEASE = "release";
export const DEV = "dev";
const REPO = "rehearsal/pg_trickle";
const EXT_REPO = "rehearsal/pg_trickle-ext";
const TAGS_OF = (v: string) => [`${v}-pg18`, `${v.split(".").slice(0, 2).join(".")}-pg18`, `${v.split(".")[0]}-pg18`, "pg18", "latest"];

/** A failed expectation inside a scenario: its line is already recorded. */
class Mismatch extends Error {}

/** Collects what a scenario saw; `expect` records a line and fails the scenario when false. */
class Seen {
    readonly lines: string[] = [];
    note(line: string): void {
        this.lines.push(line);
    }
    expect(ok: boolean, line: string): void {
        this.lines.push(`${ok ? "ok" : "NOT OK"}: ${line}`);
        if (!ok) {
            throw new Mismatch(line);
        }
    }
}

export type Scenario = { name: string; run: (r: Rehearsal, seen: Seen) => Promise<void> };

/** Runs one scenario; an unexpected error fails it with the error as the last line seen. */
export async function runScenario(scenario: Scenario, r: Rehearsal): Promise<ScenarioResult> {
    const seen = new Seen();
    const start = Date.now();
    let passed = true;
    try {
        await scenario.run(r, seen);
    } catch (e) {
        passed = false;
        if (!(e instanceof Mismatch)) {
            seen.note(`NOT OK: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    return { name: scenario.name, passed, seen: seen.lines, seconds: (Date.now() - start) / 1000 };
}

/** Every tag of both flavours in both registries → the digest it resolves to (absent: missing). */
async function tagMap(r: Rehearsal): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const registry of r.registries) {
        for (const repo of [REPO, EXT_REPO]) {
            for (const tag of await registry.tags(repo)) {
                if (tag.startsWith("buildcache")) {
                    continue;
                }
                map.set(`${registry.host}/${repo}:${tag}`, (await registry.digestOf(repo, tag))!);
            }
        }
    }
    return map;
}

/** Release-stack settings for `version`, on top of the shipped Pulumi.release.yaml. */
async function releaseVersion(r: Rehearsal, version: string, opts: { broken?: boolean } = {}): Promise<void> {
    const source = await r.source(version);
    await r.cli.configSet(RELEASE, "version", version);
    await r.cli.configSet(RELEASE, "source", source.url);
    await r.cli.configSet(RELEASE, "sourceRevision", source.revision);
    await r.cli.configSet(RELEASE, "buildContexts", { builder: await r.double(version, opts) });
}

async function up(r: Rehearsal, stack: string, name: string) {
    const events = r.cli.eventLog(name);
    const result = await r.cli.run(["up", "-s", stack, "--yes", "--skip-preview", "--non-interactive", "--event-log", events]);
    r.timed(`pulumi up -s ${stack} (${name})`, result.seconds);
    return { ...result, steps: readSteps(events), errors: errorLines(result.stdout + result.stderr) };
}

/** The distinct `error:` lines of a command's output, for the report. */
function errorLines(output: string): string {
    const lines = output.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("error:") && l !== "error: update failed");
    return [...new Set(lines)].slice(0, 3).join(" / ") || "no error line";
}

/** Checks that `tags` exist in both registries and both flavours, each an index of the built platforms. */
async function checkPublished(r: Rehearsal, seen: Seen, tags: string[]): Promise<void> {
    for (const registry of r.registries) {
        for (const repo of [REPO, EXT_REPO]) {
            for (const tag of tags) {
                const index = await registry.manifest(repo, tag);
                seen.expect(index !== undefined, `${registry.host}/${repo}:${tag} exists`);
                const platforms = registry.platformsOf(index!);
                seen.expect(platforms.join(",") === r.platforms.join(","), `${registry.host}/${repo}:${tag} is an index of ${platforms.join(", ")}`);
            }
        }
    }
}

export const SCENARIOS: Scenario[] = [
    {
        name: "First release 1.2.3 on an empty stack",
        async run(r, seen) {
            await releaseVersion(r, "1.2.3");
            const result = await up(r, RELEASE, "first-release");
            seen.expect(result.code === 0, `pulumi up exited ${result.code}${result.code ? `: ${result.errors}` : ""}`);
            await checkPublished(r, seen, TAGS_OF("1.2.3"));
            const [a] = r.registries;
            const index = (await a.manifest(REPO, "1.2.3-pg18"))!;
            const tagged = new Set((await tagMap(r)).values());
            for (const m of index.body.manifests!.filter((m) => m.platform?.architecture !== "unknown")) {
                seen.expect((await a.manifest(REPO, m.digest)) !== undefined, `${a.host}/${REPO}@${m.digest} (${m.platform!.architecture}) exists by digest`);
                seen.expect(!tagged.has(m.digest), `no tag points at the per-platform image ${m.digest} itself`);
                const labels = await a.labels(REPO, m.digest);
                seen.expect(labels["org.opencontainers.image.version"] === "1.2.3", `its label org.opencontainers.image.version is "${labels["org.opencontainers.image.version"]}"`);
                seen.expect(
                    labels["org.opencontainers.image.base.name"] === "docker.io/library/postgres:18-bookworm" &&
                        labels["org.opencontainers.image.base.digest"] === r.baseDigest,
                    `its base labels name the stand-in it was built on: ${labels["org.opencontainers.image.base.name"]}@${labels["org.opencontainers.image.base.digest"]}`,
                );
                const revision = (await r.source("1.2.3")).revision;
                seen.expect(labels["org.opencontainers.image.revision"] === revision, `its revision label is the source tag's commit ${revision}`);
            }
            const amd64 = index.body.manifests!.find((m) => m.platform?.architecture === "amd64")!.digest;
            const pulled = await r.docker(["image", "inspect", "--format", "{{.Id}}", `${a.host}/${REPO}@${amd64}`]);
            seen.expect(pulled.code === 0, `the smoke gate ran ${a.host}/${REPO}@${amd64} in the Docker engine (the engine has pulled it by digest)`);
            const builds = result.steps.filter((s) => s.type === "docker-build:index:Image");
            const fullBuilds = builds.filter((s) => s.urn.includes("-full-"));
            seen.note(`${builds.length} image builds; full-image builds of the platforms ran ${overlapped(fullBuilds) ? "in parallel (overlapping in the engine's event log)" : "one after the other"}`);
            r.fact(`per-platform builds ran in parallel: ${fullBuilds.length > 1 ? (overlapped(fullBuilds) ? "yes" : "no") : "only one platform"}`);
        },
    },
    {
        name: "Re-run with nothing changed",
        async run(r, seen) {
            const preview = await r.cli.run(["preview", "-s", RELEASE, "--expect-no-changes", "--non-interactive"]);
            r.timed("pulumi preview --expect-no-changes -s release", preview.seconds);
            seen.expect(preview.code === 0, `pulumi preview --expect-no-changes exited ${preview.code}${preview.code ? `: ${errorLines(preview.stdout + preview.stderr)}` : ""}`);
            const before = await tagMap(r);
            const result = await up(r, RELEASE, "no-op");
            seen.expect(result.code === 0, `pulumi up exited ${result.code} in ${result.seconds.toFixed(1)} s`);
            seen.expect(changed(result.steps).length === 0, `the engine changed nothing (${changed(result.steps).join(", ") || "no steps"})`);
            const after = await tagMap(r);
            seen.expect(JSON.stringify([...after]) === JSON.stringify([...before]), "every tag resolves to the same digest as before");
        },
    },
    {
        name: "Release 1.3.0: every floating tag moves, 1.2.3-pg18 stays",
        async run(r, seen) {
            const before = await tagMap(r);
            await releaseVersion(r, "1.3.0");
            const result = await up(r, RELEASE, "release-1.3.0");
            seen.expect(result.code === 0, `pulumi up exited ${result.code}${result.code ? `: ${result.errors}` : ""}`);
            await checkPublished(r, seen, TAGS_OF("1.3.0"));
            const after = await tagMap(r);
            for (const [ref, digest] of after) {
                const tag = ref.slice(ref.lastIndexOf(":") + 1);
                const exact = ref.replace(/:[^:]+$/, ":1.3.0-pg18");
                if (["1-pg18", "pg18", "latest"].includes(tag)) {
                    seen.expect(digest === after.get(exact) && digest !== before.get(ref), `${ref} moved to 1.3.0's index`);
                } else if (tag === "1.2.3-pg18" || tag === "1.2-pg18") {
                    seen.expect(digest === before.get(ref), `${ref} still resolves to ${digest}`);
                }
            }
        },
    },
    {
        name: "Backport 1.2.4: only 1.2.4-pg18 and 1.2-pg18 change",
        async run(r, seen) {
            const before = await tagMap(r);
            await releaseVersion(r, "1.2.4");
            const result = await up(r, RELEASE, "backport-1.2.4");
            seen.expect(result.code === 0, `pulumi up exited ${result.code}${result.code ? `: ${result.errors}` : ""}`);
            await checkPublished(r, seen, ["1.2.4-pg18", "1.2-pg18"]);
            const after = await tagMap(r);
            for (const [ref, digest] of after) {
                const tag = ref.slice(ref.lastIndexOf(":") + 1);
                if (tag === "1.2-pg18") {
                    seen.expect(digest === after.get(ref.replace(/:[^:]+$/, ":1.2.4-pg18")) && digest !== before.get(ref), `${ref} moved to 1.2.4's index`);
                } else if (tag !== "1.2.4-pg18") {
                    seen.expect(digest === before.get(ref), `${ref} kept ${digest}`);
                }
            }
        },
    },
    {
        name: "The base image moves upstream: only a rebase rebuilds",
        async run(r, seen) {
            // The docker provider (getRegistryImage) cannot be built here: the new base reaches
            // the stack the other way the program takes a base digest, pinned in config.
            const moved = await r.base(2);
            seen.note(`pushed a new base stand-in revision: docker.io/library/postgres:18-bookworm@${moved}`);
            await r.cli.configSet(RELEASE, "baseImageDigests", { "18": moved });
            const kept = await r.cli.run(["preview", "-s", RELEASE, "--expect-no-changes", "--non-interactive"]);
            seen.expect(kept.code === 0, "pulumi preview --expect-no-changes passes: version 1.2.4 keeps the base it was published on");
            seen.expect(kept.stdout.includes("moved upstream") && kept.stdout.includes("rebase"), "the preview warns that upstream moved and what a rebase would rebuild");
            await r.cli.configSet(RELEASE, "rebase", true);
            const rebased = await r.cli.run(["preview", "-s", RELEASE, "--expect-no-changes", "--non-interactive", "--diff"]);
            seen.expect(rebased.code !== 0 && rebased.stdout.includes(moved), `with rebase=true the preview shows the builds moving to ${moved}`);
            await r.cli.configSet(RELEASE, "rebase", false);
        },
    },
    {
        name: "A broken build stops at the smoke gate; no tag moves",
        async run(r, seen) {
            const before = await tagMap(r);
            await releaseVersion(r, "1.2.5", { broken: true });
            const result = await up(r, RELEASE, "broken-1.2.5");
            const out = `${result.stdout}${result.stderr}`;
            seen.expect(result.code !== 0, `pulumi up stopped (exit ${result.code})`);
            const message = /smoke test of \S+ on linux\/\w+: check "version" failed: expected "1\.2\.5", saw "[^"]+"/.exec(out);
            seen.expect(message !== null, `it stopped with the documented message: ${message?.[0] ?? "(not found)"}`);
            const after = await tagMap(r);
            seen.expect(JSON.stringify([...after]) === JSON.stringify([...before]), `no tag changed in either registry (${after.size} tags compared)`);
            seen.expect(![...after.keys()].some((t) => t.includes("1.2.5")), "no 1.2.5 tag exists");
        },
    },
    {
        name: "pulumi destroy leaves every published tag",
        async run(r, seen) {
            const before = await tagMap(r);
            const result = await r.cli.run(["destroy", "-s", RELEASE, "--yes", "--skip-preview", "--non-interactive"]);
            r.timed("pulumi destroy -s release", result.seconds);
            seen.expect(result.code === 0, `pulumi destroy exited ${result.code}`);
            const after = await tagMap(r);
            seen.expect(after.size === before.size && [...before].every(([t, d]) => after.get(t) === d), `all ${before.size} tags still resolve to their digests`);
        },
    },
    {
        name: "Two repositories receive every tag",
        async run(r, seen) {
            const [a, b] = r.registries;
            for (const repo of [REPO, EXT_REPO]) {
                const tagsA = (await a.tags(repo)).filter((t) => !t.startsWith("buildcache"));
                const tagsB = (await b.tags(repo)).filter((t) => !t.startsWith("buildcache"));
                seen.expect(tagsA.length > 0 && tagsA.join(",") === tagsB.join(","), `${repo}: both registries hold ${tagsA.join(", ")}`);
                for (const tag of tagsA) {
                    const [ia, ib] = [(await a.manifest(repo, tag))!, (await b.manifest(repo, tag))!];
                    const children = (m: typeof ia) => (m.body.manifests ?? []).map((c) => c.digest).sort().join(",");
                    seen.expect(children(ia) === children(ib), `${repo}:${tag} joins the same per-platform images in both`);
                }
            }
        },
    },
];

/** The dev stack: a local build loaded into the Docker engine, no registry, no cluster. */
export const DEV_SCENARIO: Scenario = {
    name: "The dev stack loads the image locally under every tag",
    async run(r, seen) {
        const source = await r.source("1.2.3");
        await r.cli.configSet(DEV, "version", "1.2.3");
        await r.cli.configSet(DEV, "source", source.url);
        await r.cli.configSet(DEV, "buildContexts", { builder: await r.double("1.2.3") });
        const result = await up(r, DEV, "dev");
        seen.expect(result.code === 0, `pulumi up -s dev exited ${result.code}${result.code ? `: ${result.errors}` : ""}`);
        const tags = TAGS_OF("1.2.3").map((t) => `docker.io/pgtrickle/pg_trickle:${t}`);
        for (const tag of tags) {
            const inspect = await r.docker(["image", "inspect", "--format", "{{.Id}}", tag]);
            seen.expect(inspect.code === 0, `the Docker engine has ${tag} (${inspect.stdout.trim().slice(0, 19)})`);
        }
        const name = "pgtrickle-rehearsal-dev";
        await r.docker(["rm", "--force", "--volumes", name]);
        const run = await r.docker(["run", "--detach", "--name", name, "--network", "none", "--env", "POSTGRES_PASSWORD=rehearsal", tags[0]]);
        seen.expect(run.code === 0, `docker run ${tags[0]} started (${run.stderr.trim() || "ok"})`);
        let version = "";
        for (let i = 0; i < 60 && version === ""; i++) {
            const q = await r.docker(["exec", name, "psql", "-U", "postgres", "-h", "127.0.0.1", "-tAc", "SELECT pgtrickle.version()"]);
            version = q.code === 0 ? q.stdout.trim() : "";
            if (version === "") {
                await new Promise((done) => setTimeout(done, 1000));
            }
        }
        await r.docker(["rm", "--force", "--volumes", name]);
        seen.expect(version === "1.2.3", `SELECT pgtrickle.version() in the container answered "${version}"`);
        const again = await up(r, DEV, "dev-again");
        seen.expect(again.code === 0 && changed(again.steps).length === 0, `a second pulumi up -s dev changed nothing (${again.seconds.toFixed(1)} s)`);
    },
};

