import { describe, expect, it } from "vitest";
import { placeholderDigest } from "../plan/mock-runtime";
import { findResource, findResources, planAfresh, planError, planFor, PlanResult, shownInputs } from "./support/offline-plan";

const IMAGE = "docker-build:index:Image";
const INDEX = "docker-build:index:Index";
const CREDS = { "docker.io": { username: "pgtrickle", password: "s3cret-token" } };

describe("release stack", async () => {
    const plan = await planFor("release");

    it("builds one image per platform and flavour, pushed by digest, never tagged directly", () => {
        const images = findResources(plan, IMAGE);
        expect(images.map((i) => i.name).sort()).toEqual([
            "pg-trickle-ext-pg18-amd64",
            "pg-trickle-ext-pg18-arm64",
            "pg-trickle-full-pg18-amd64",
            "pg-trickle-full-pg18-arm64",
        ]);
        for (const image of images) {
            const i = shownInputs(image);
            expect(i.platforms).toHaveLength(1);
            expect(i.push).toBe(false);
            expect(i.tags).toBeUndefined();
            expect(i.buildOnPreview).toBe(false);
            const repo = image.name.includes("-ext-") ? "docker.io/pgtrickle/pg_trickle-ext" : "docker.io/pgtrickle/pg_trickle";
            expect(i.exports).toEqual([{ raw: `type=image,name=${repo},push=true,push-by-digest=true` }]);
            expect(image.parent).toBe("pg-trickle");
        }
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-arm64")).platforms).toEqual(["linux/arm64"]);
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).target).toBe("runtime");
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-ext-pg18-amd64")).target).toBe("extension");
    });

    it("publishes each tag as its own Index joining both platforms, kept on destroy", () => {
        const indexes = findResources(plan, INDEX);
        expect(indexes.map((i) => i.name)).toEqual([
            "docker.io/pgtrickle/pg_trickle:0.67.0-pg18",
            "docker.io/pgtrickle/pg_trickle:0.67-pg18",
            "docker.io/pgtrickle/pg_trickle:pg18",
            "docker.io/pgtrickle/pg_trickle:latest",
            "docker.io/pgtrickle/pg_trickle-ext:0.67.0-pg18",
            "docker.io/pgtrickle/pg_trickle-ext:0.67-pg18",
            "docker.io/pgtrickle/pg_trickle-ext:pg18",
            "docker.io/pgtrickle/pg_trickle-ext:latest",
        ]);
        for (const index of indexes) {
            const i = shownInputs(index);
            expect(i.tag).toBe(index.name);
            expect(index.retainOnDelete).toBe(true);
            expect(index.parent).toBe("pg-trickle");
            const repo = index.name.slice(0, index.name.lastIndexOf(":"));
            expect(i.sources).toHaveLength(2);
            for (const source of i.sources as string[]) {
                expect(source.startsWith(`${repo}@sha256:`)).toBe(true);
            }
        }
    });

    it("wires each index to the digests of the per-platform images", () => {
        const latest = findResource(plan, INDEX, "docker.io/pgtrickle/pg_trickle:latest");
        expect(shownInputs(latest).sources).toEqual([
            `docker.io/pgtrickle/pg_trickle@${placeholderDigest("image:pg-trickle-full-pg18-amd64")}`,
            `docker.io/pgtrickle/pg_trickle@${placeholderDigest("image:pg-trickle-full-pg18-arm64")}`,
        ]);
        expect(latest.dependencies).toEqual(expect.arrayContaining(["pg-trickle-full-pg18-amd64", "pg-trickle-full-pg18-arm64"]));
        expect(latest.dependencies).not.toContain("pg-trickle-ext-pg18-amd64");
        const extLatest = findResource(plan, INDEX, "docker.io/pgtrickle/pg_trickle-ext:latest");
        expect(shownInputs(extLatest).sources).toEqual([
            `docker.io/pgtrickle/pg_trickle-ext@${placeholderDigest("image:pg-trickle-ext-pg18-amd64")}`,
            `docker.io/pgtrickle/pg_trickle-ext@${placeholderDigest("image:pg-trickle-ext-pg18-arm64")}`,
        ]);
    });

    it("keeps registry credentials secret in every resource", async () => {
        const withCreds = await planFor("release", {}, { registries: CREDS });
        const serialized = JSON.stringify(withCreds.resources.map(shownInputs));
        expect(serialized).not.toContain("s3cret-token");
        for (const r of findResources(withCreds, IMAGE)) {
            expect(shownInputs(r).registries).toBe("[secret]");
        }
        for (const r of findResources(withCreds, INDEX)) {
            expect(shownInputs(r).registry).toBe("[secret]");
        }
        // The real value still reaches the provider.
        expect(JSON.stringify(findResources(withCreds, INDEX)[0].inputs)).toContain("s3cret-token");
    });

    it("exports the pinned reference, the tags and the published versions", () => {
        expect(plan.outputs.imageRef).toMatch(/^docker\.io\/pgtrickle\/pg_trickle@sha256:[0-9a-f]{64}$/);
        expect(plan.outputs.extensionImageRef).toMatch(/^docker\.io\/pgtrickle\/pg_trickle-ext@sha256:[0-9a-f]{64}$/);
        expect(plan.outputs.tags).toEqual(findResources(plan, INDEX).map((i) => i.name));
        expect(plan.outputs.publishedVersions).toEqual(["0.67.0"]);
    });

    it("smoke-tests the pushed image of this machine's platform before any tag moves", () => {
        const smoke = findResource(plan, "pulumi-nodejs:dynamic:Resource", "pg-trickle-smoke-pg18");
        const host = process.arch === "arm64" ? "arm64" : "amd64";
        expect(shownInputs(smoke)).toMatchObject({
            imageRef: `docker.io/pgtrickle/pg_trickle@${placeholderDigest(`image:pg-trickle-full-pg18-${host}`)}`,
            expectedVersion: "0.67.0",
            platform: `linux/${host}`,
            readyTimeoutSeconds: 120,
        });
        expect(smoke.parent).toBe("pg-trickle");
        expect(smoke.dependencies).toEqual([`pg-trickle-full-pg18-${host}`]);
        for (const index of findResources(plan, INDEX)) {
            expect(index.dependencies, index.name).toContain("pg-trickle-smoke-pg18");
        }
    });

    it("has no duplicate resource names", () => {
        const keys = plan.resources.map((r) => `${r.type}::${r.name}`);
        expect(new Set(keys).size).toBe(keys.length);
    });
});

describe("dev stack", async () => {
    const plan = await planFor("dev");

    const arch = process.arch === "arm64" ? "arm64" : "amd64";

    it("builds one platform, loads it locally under every tag and publishes nothing", () => {
        const load = shownInputs(findResource(plan, IMAGE, `pg-trickle-full-pg18-${arch}`));
        expect(load.platforms).toEqual([`linux/${arch}`]);
        const tags = ["0.67.0-pg18", "0.67-pg18", "pg18", "latest"].map((t) => `docker.io/pgtrickle/pg_trickle:${t}`);
        expect(load.exports).toEqual([{ raw: `type=docker,"name=${tags.join(",")}"` }]);
        expect(load.registries).toBeUndefined();
        expect(findResources(plan, INDEX)).toEqual([]);
        expect(plan.outputs.imageRef).toBe("docker.io/pgtrickle/pg_trickle:0.67.0-pg18");
        expect(plan.outputs.tags).toEqual(tags);
    });

    it("pushes a second build by digest to kind's registry for the eval cluster, after the first (one compile)", () => {
        const cluster = findResource(plan, IMAGE, `pg-trickle-full-pg18-${arch}-cluster`);
        expect(shownInputs(cluster).exports).toEqual([{ raw: "type=image,name=localhost:5001/pg_trickle,push=true,push-by-digest=true,registry.insecure=true" }]);
        expect(cluster.dependencies).toContain(`pg-trickle-full-pg18-${arch}`);
        expect(findResources(plan, IMAGE)).toHaveLength(2);
    });
});

describe("program", () => {
    it("gives identical inputs on every run (a no-op up must not rebuild)", async () => {
        const strip = (p: PlanResult) => JSON.stringify(p.resources.map((r) => [r.type, r.name, shownInputs(r)]));
        const a = await planFor("release");
        const b = await planAfresh("release");
        expect(strip(b)).toBe(strip(a));
        expect(strip(a)).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // no timestamps
    });

    it("moves tags without a gate when the smoke test is off", async () => {
        const plan = await planFor("release", { smokeTest: false });
        expect(findResources(plan, "pulumi-nodejs:dynamic:Resource")).toEqual([]);
        expect(findResource(plan, INDEX, "docker.io/pgtrickle/pg_trickle:latest").dependencies.some((d) => d.includes("smoke"))).toBe(false);
    });

    it("fails on bad config before creating any resource", async () => {
        const err = await planError("release", { version: "not-a-version" });
        expect(err.message).toMatch(/^Invalid config pg-trickle-infra:version: /);
    });

    it("publishes to every configured repository", async () => {
        const plan = await planFor("release", {
            repositories: ["docker.io/pgtrickle/pg_trickle", "ghcr.io/trickle-labs/pg_trickle"],
            extensionImage: false,
        }, { registries: { "docker.io": CREDS["docker.io"], "ghcr.io": { username: "bot", password: "x" } } });
        const names = findResources(plan, INDEX).map((i) => i.name);
        expect(names).toContain("ghcr.io/trickle-labs/pg_trickle:latest");
        expect(names).toContain("docker.io/pgtrickle/pg_trickle:latest");
        // One export whose name attribute is a quoted list: buildx keeps only the last of repeated `name=` fields.
        const image = shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64"));
        expect(image.exports).toEqual([{ raw: 'type=image,"name=docker.io/pgtrickle/pg_trickle,ghcr.io/trickle-labs/pg_trickle",push=true,push-by-digest=true' }]);
    });

    it("moves only the backport's own tags when a newer version was published", async () => {
        const plan = await planFor("release", { version: "1.2.4", publishedVersions: ["1.3.0"], extensionImage: false });
        expect(findResources(plan, INDEX).map((i) => i.name)).toEqual([
            "docker.io/pgtrickle/pg_trickle:1.2.4-pg18",
            "docker.io/pgtrickle/pg_trickle:1.2-pg18",
        ]);
        expect(plan.outputs.publishedVersions).toEqual(["1.2.4", "1.3.0"]);
    });

    it("publishes only the exact tag of a pre-release", async () => {
        const plan = await planFor("release", { version: "1.3.0-rc.1" });
        expect(findResources(plan, INDEX).map((i) => i.name)).toEqual([
            "docker.io/pgtrickle/pg_trickle:1.3.0-rc.1-pg18",
            "docker.io/pgtrickle/pg_trickle-ext:1.3.0-rc.1-pg18",
        ]);
    });

});
