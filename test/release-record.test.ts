import { describe, expect, it } from "vitest";
import { versionsInTags } from "../components/release/release-record";
import { findResource, findResources, planError, planFor } from "./support/offline-plan";

const INDEX = "docker-build:index:Index";
const REPO = "docker.io/pgtrickle/pg_trickle";

describe("published versions in a registry's tags", () => {
    it("reads the versions of exact tags only", () => {
        const tags = ["1.2.3-pg18", "1.3.0-pg18", "1.3.0-rc.1-pg18", "1.3-pg18", "1-pg18", "pg18", "latest", "buildcache-pg18-amd64", "1.3.0"];
        expect(versionsInTags(tags).map((v) => v.raw)).toEqual(["1.2.3", "1.3.0", "1.3.0-rc.1"]);
    });
});

describe("a failed update is remembered", () => {
    // 1.3.0's update moved `latest` and then failed: the stack's outputs still say 1.2.3 only,
    // but the registry holds 1.3.0's exact tag, written before any of its floating tags.
    const previousOutputs = { publishedVersions: ["1.2.3"], publishedBases: {} };
    const registryTags = { [REPO]: ["1.2.3-pg18", "1.2-pg18", "1.3.0-pg18", "latest", "pg18", "1-pg18", "1.3-pg18"] };

    it("a later backport does not move floating tags back", async () => {
        const plan = await planFor("release", { version: "1.2.4", extensionImage: false }, {}, { previousOutputs, registryTags });
        expect(findResources(plan, INDEX).map((i) => i.name)).toEqual([`${REPO}:1.2.4-pg18`, `${REPO}:1.2-pg18`]);
        expect(plan.outputs.publishedVersions).toEqual(["1.2.3", "1.2.4", "1.3.0"]);
    });

    it("every floating tag waits for its version's exact tag in the same repository", async () => {
        const plan = await planFor("release", { repositories: [REPO, "ghcr.io/trickle-labs/pg_trickle"] }, {
            registries: { "docker.io": { username: "u", password: "p" }, "ghcr.io": { username: "u", password: "p" } },
        });
        for (const index of findResources(plan, INDEX)) {
            const repo = index.name.slice(0, index.name.lastIndexOf(":"));
            const exact = `${repo}:0.67.0-pg18`;
            if (index.name !== exact) {
                expect(index.dependencies, index.name).toContain(exact);
            } else {
                expect(index.dependencies.some((d) => d.includes(":")), index.name).toBe(false);
            }
        }
        expect(findResource(plan, INDEX, "ghcr.io/trickle-labs/pg_trickle:latest").dependencies).not.toContain(`${REPO}:0.67.0-pg18`);
    });

    it("reads the tags of every repository the stack publishes to", async () => {
        const plan = await planFor(
            "release",
            { version: "1.2.4" },
            {},
            { registryTags: { "docker.io/pgtrickle/pg_trickle-ext": ["1.3.0-pg18"] } },
        );
        expect(findResources(plan, INDEX).some((i) => i.name.endsWith(":latest"))).toBe(false);
    });

    it("stops with one line naming the setting when the registry cannot be read", async () => {
        const err = await planError("release", {}, {
            listTags: async (repository) => {
                throw new Error(`listing the tags of ${repository} failed: HTTP 503 Service Unavailable`);
            },
        });
        expect(err.message).toBe(
            "Invalid config pg-trickle-infra:trackPublishedVersions: cannot read the published tags: " +
                "listing the tags of docker.io/pgtrickle/pg_trickle failed: HTTP 503 Service Unavailable",
        );
    });

    it("a stack that does not track its releases reads no registry", async () => {
        const plan = await planFor("release", { trackPublishedVersions: false, version: "1.2.4" }, {}, { registryTags });
        expect(findResources(plan, INDEX).map((i) => i.name)).toContain(`${REPO}:latest`);
        expect(plan.notes.some((n) => n.includes("published tags"))).toBe(false);
    });

    it("refuses a malformed version record", async () => {
        const err = await planError("release", {}, { previousOutputs: { publishedVersions: "1.2.3" } });
        expect(err.message).toMatch(/^Invalid config pg-trickle-infra:trackPublishedVersions: the stack output publishedVersions is not a list/);
    });
});

describe("a refresh that could not read the registry", () => {
    it("leaves an unpinned Index ref: the next update goes on, with the tag as imageRef and a warning", async () => {
        const exact = `${REPO}:0.67.0-pg18`;
        const plan = await planFor("release", {}, {}, { providerOutputs: { [exact]: { ref: exact } } });
        expect(plan.outputs.imageRef).toBe(exact);
        expect(plan.warnings.some((w) => w.startsWith(`${exact}: docker-build reports no digest for this tag`) && w.includes("pulumi refresh"))).toBe(true);
    });
});
