import { describe, expect, it } from "vitest";
import { chooseBaseDigest, registryLookupName } from "../components/image/base-image";
import { placeholderDigest } from "../plan/mock-runtime";
import { planSummary } from "../plan/render";
import { findResource, findResources, planError, planFor, shownInputs } from "./support/offline-plan";

const IMAGE = "docker-build:index:Image";
const BASE = "docker.io/library/postgres:18-bookworm";
const UPSTREAM = placeholderDigest("registry:library/postgres:18-bookworm");
const RECORDED = `sha256:${"1".repeat(64)}`;

describe("the name the base look-up asks for", () => {
    it.each([
        // Docker Hub: without its host, or the provider asks https://docker.io/v2/…, which is no registry API.
        ["docker.io/library/postgres:18-bookworm", "library/postgres:18-bookworm"],
        ["index.docker.io/library/postgres:18-bookworm", "library/postgres:18-bookworm"],
        ["docker.io/acme/postgres:18-bookworm", "acme/postgres:18-bookworm"],
        // Every other registry keeps its host.
        ["registry-1.docker.io/library/postgres:18-bookworm", "registry-1.docker.io/library/postgres:18-bookworm"],
        ["ghcr.io/acme/postgres:18-bookworm", "ghcr.io/acme/postgres:18-bookworm"],
        ["localhost:5000/library/postgres:18-bookworm", "localhost:5000/library/postgres:18-bookworm"],
        ["mirror.example.com:5000/library/postgres:18-bookworm", "mirror.example.com:5000/library/postgres:18-bookworm"],
    ])("%s → %s", (name, lookup) => {
        expect(registryLookupName(name)).toBe(lookup);
    });
});

describe("which base digest a build uses", () => {
    const up = `sha256:${"a".repeat(64)}`;
    const rec = `sha256:${"b".repeat(64)}`;
    it.each([
        ["a new version takes upstream", up, undefined, false, { digest: up, held: false }],
        ["a re-run keeps the recorded base", up, rec, false, { digest: rec, held: true }],
        ["a re-run on an unmoved base", rec, rec, false, { digest: rec, held: false }],
        ["a rebase takes upstream", up, rec, true, { digest: up, held: false }],
    ] as const)("%s", (_, upstream, recorded, rebase, expected) => {
        expect(chooseBaseDigest(upstream, recorded, rebase)).toEqual(expected);
    });
});

describe("the base image in the program", () => {
    it("is looked up under Docker Hub's name and passed fully qualified, pinned, to the build and its labels", async () => {
        const plan = await planFor("release");
        for (const image of findResources(plan, IMAGE)) {
            const i = shownInputs(image);
            expect(i.buildArgs.BASE_IMAGE).toBe(`${BASE}@${UPSTREAM}`);
            expect(i.labels["org.opencontainers.image.base.name"]).toBe(BASE);
        }
        expect(plan.outputs.baseImages).toEqual({ pg18: { name: BASE, digest: UPSTREAM, upstreamDigest: UPSTREAM, held: false, lookupName: "library/postgres:18-bookworm" } });
        expect(planSummary(plan)).toContain("looked up in the registry as library/postgres:18-bookworm");
    });

    it.each([
        ["localhost:5000/library/postgres", "localhost:5000/library/postgres:18-bookworm"],
        ["ghcr.io/acme/hardened-postgres", "ghcr.io/acme/hardened-postgres:18-bookworm"],
    ])("comes from the baseImage repository %s", async (baseImage, name) => {
        const plan = await planFor("release", { baseImage });
        const i = shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64"));
        expect(i.buildArgs.BASE_IMAGE).toBe(`${name}@${placeholderDigest(`registry:${name}`)}`);
        expect(i.labels["org.opencontainers.image.base.name"]).toBe(name);
    });

    it("is read with the credentials of its registry", async () => {
        const plan = await planFor(
            "release",
            { baseImage: "ghcr.io/acme/hardened-postgres" },
            { registries: { "docker.io": { username: "pgtrickle", password: "t1" }, "ghcr.io": { username: "bot", password: "t2" } } },
        );
        const auth = findResource(plan, "pulumi:providers:docker", "pg-trickle-registry-lookup").inputs.registryAuth as { value: string };
        // The password makes the whole setting a secret; inside it, only the base's registry.
        expect(shownInputs(findResource(plan, "pulumi:providers:docker", "pg-trickle-registry-lookup")).registryAuth).toBe("[secret]");
        expect(JSON.parse(auth.value)).toEqual([{ address: "ghcr.io", username: "bot", password: "t2" }]);
    });

    it.each([
        ["docker.io/library/postgres:18", /carries a tag or digest/],
        ["postgres", /is not a repository name|not fully qualified/],
    ])("refuses baseImage %s with one line naming the key", async (baseImage, problem) => {
        const err = await planError("release", { baseImage });
        expect(err.message).toMatch(/^Invalid config pg-trickle-infra:baseImage: /);
        expect(err.message).toMatch(problem);
    });
});

describe("a version keeps the base it was published on", () => {
    const record = { publishedVersions: ["0.67.0"], publishedBases: { "0.67.0": { "18": RECORDED } } };

    it("re-running a release builds on the recorded base, says upstream moved and what a rebase would do", async () => {
        const plan = await planFor("release", {}, {}, { previousOutputs: record });
        for (const image of findResources(plan, IMAGE)) {
            expect(shownInputs(image).buildArgs.BASE_IMAGE).toBe(`${BASE}@${RECORDED}`);
        }
        expect(plan.outputs.publishedBases).toEqual({ "0.67.0": { "18": RECORDED } });
        expect((plan.outputs.baseImages as any).pg18).toMatchObject({ digest: RECORDED, upstreamDigest: UPSTREAM, held: true });
        expect(plan.warnings).toHaveLength(1);
        expect(plan.warnings[0]).toContain(`${BASE} moved upstream (${RECORDED} → ${UPSTREAM}); version 0.67.0 keeps the base it was published on`);
        expect(plan.warnings[0]).toContain("would rebuild 4 image(s) and move 8 tag(s): docker.io/pgtrickle/pg_trickle:0.67.0-pg18,");
        expect(planSummary(plan)).toContain(`upstream moved to ${UPSTREAM}: kept`);
    });

    it("a rebase builds on upstream's base and records it", async () => {
        const plan = await planFor("release", { rebase: true }, {}, { previousOutputs: record });
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).buildArgs.BASE_IMAGE).toBe(`${BASE}@${UPSTREAM}`);
        expect(plan.outputs.publishedBases).toEqual({ "0.67.0": { "18": UPSTREAM } });
        expect(plan.warnings).toEqual([]);
    });

    it("a base pinned in config moves a published version only with a rebase too", async () => {
        const pinned = `sha256:${"2".repeat(64)}`;
        const kept = await planFor("release", { baseImageDigests: { "18": pinned } }, {}, { previousOutputs: record });
        expect(shownInputs(findResource(kept, IMAGE, "pg-trickle-full-pg18-amd64")).buildArgs.BASE_IMAGE).toBe(`${BASE}@${RECORDED}`);
        const rebased = await planFor("release", { baseImageDigests: { "18": pinned }, rebase: true }, {}, { previousOutputs: record });
        expect(shownInputs(findResource(rebased, IMAGE, "pg-trickle-full-pg18-amd64")).buildArgs.BASE_IMAGE).toBe(`${BASE}@${pinned}`);
    });

    it("a new version takes upstream's base and adds it to the record", async () => {
        const plan = await planFor("release", { version: "0.68.0" }, {}, { previousOutputs: record });
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).buildArgs.BASE_IMAGE).toBe(`${BASE}@${UPSTREAM}`);
        expect(plan.outputs.publishedBases).toEqual({ "0.67.0": { "18": RECORDED }, "0.68.0": { "18": UPSTREAM } });
        expect(plan.warnings).toEqual([]);
    });

    it("refuses a malformed record naming the setting that reads it", async () => {
        const err = await planError("release", {}, { previousOutputs: { publishedBases: { "0.67.0": { "18": "latest" } } } });
        expect(err.message).toMatch(/^Invalid config pg-trickle-infra:trackPublishedVersions: the stack output publishedBases is not a map/);
    });
});
