import { describe, expect, it } from "vitest";
import { buildCache } from "../components/image/build-cache";
import { parseSemVer } from "../components/image/semver";
import { placeholderDigest } from "../plan/mock-runtime";
import { runOfflinePlan } from "../plan/offline-plan";
import { findResource, findResources, planFor, shownInputs } from "./support/offline-plan";

const IMAGE = "docker-build:index:Image";
const INDEX = "docker-build:index:Index";
const BASE = "docker.io/library/postgres:18-bookworm";
/** What the base look-up asks the docker provider for (Docker Hub without its host name). */
const LOOKUP = "library/postgres:18-bookworm";

describe("build cache", () => {
    const args = { repository: "docker.io/pgtrickle/pg_trickle", pgMajor: 18, arch: "arm64" };
    it.each([
        ["none", true, { cacheFrom: [], cacheTo: [] }],
        [
            "registry",
            true,
            {
                cacheFrom: [{ registry: { ref: "docker.io/pgtrickle/pg_trickle:buildcache-pg18-arm64" } }],
                cacheTo: [{ registry: { ref: "docker.io/pgtrickle/pg_trickle:buildcache-pg18-arm64", mode: "max", imageManifest: true, ociMediaTypes: true } }],
            },
        ],
        ["registry", false, { cacheFrom: [{ registry: { ref: "docker.io/pgtrickle/pg_trickle:buildcache-pg18-arm64" } }], cacheTo: [] }],
        ["gha", true, { cacheFrom: [{ gha: { scope: "pg18-arm64" } }], cacheTo: [{ gha: { scope: "pg18-arm64", mode: "max" } }] }],
        ["local", true, { cacheFrom: [{ local: { src: ".buildcache/pg18-arm64" } }], cacheTo: [{ local: { dest: ".buildcache/pg18-arm64", mode: "max" } }] }],
    ] as const)("%s (write %s)", (mode, write, expected) => {
        expect(buildCache({ ...args, mode, write })).toEqual(expected);
    });
});

describe("release builds", async () => {
    const plan = await planFor("release", { builders: { "linux/arm64": "arm64-native" } });
    const image = (name: string) => findResource(plan, IMAGE, name);

    it("build each platform on its own builder, the default one when none is configured", () => {
        expect(shownInputs(image("pg-trickle-full-pg18-arm64")).builder).toEqual({ name: "arm64-native" });
        expect(shownInputs(image("pg-trickle-ext-pg18-arm64")).builder).toEqual({ name: "arm64-native" });
        expect(shownInputs(image("pg-trickle-full-pg18-amd64")).builder).toBeUndefined();
    });

    it("run the per-platform builds in parallel: no edge between platforms", () => {
        const builds = findResources(plan, IMAGE);
        for (const b of builds) {
            const arch = b.name.split("-").pop();
            const onImages = b.dependencies.filter((d) => builds.some((x) => x.name === d));
            for (const d of onImages) {
                expect(d.endsWith(`-${arch}`), `${b.name} waits for ${d}`).toBe(true);
            }
        }
        expect(image("pg-trickle-full-pg18-amd64").dependencies.filter((d) => d.startsWith("pg-trickle-"))).toEqual([]);
        expect(image("pg-trickle-full-pg18-arm64").dependencies.filter((d) => d.startsWith("pg-trickle-"))).toEqual([]);
        // The extension image reuses its platform's compile: it waits for that build only.
        expect(image("pg-trickle-ext-pg18-amd64").dependencies.filter((d) => d.startsWith("pg-trickle-"))).toEqual(["pg-trickle-full-pg18-amd64"]);
    });

    it("read and write a registry cache per platform; the extension image only reads", () => {
        expect(shownInputs(image("pg-trickle-full-pg18-arm64")).cacheTo).toEqual([
            { registry: { ref: "docker.io/pgtrickle/pg_trickle:buildcache-pg18-arm64", mode: "max", imageManifest: true, ociMediaTypes: true } },
        ]);
        expect(shownInputs(image("pg-trickle-ext-pg18-arm64")).cacheFrom).toEqual([
            { registry: { ref: "docker.io/pgtrickle/pg_trickle:buildcache-pg18-arm64" } },
        ]);
        expect(shownInputs(image("pg-trickle-ext-pg18-arm64")).cacheTo).toEqual([]);
    });

    it("pin the base image by digest, resolved from the registry without a Docker engine", () => {
        const digest = placeholderDigest(`registry:${LOOKUP}`);
        for (const b of findResources(plan, IMAGE)) {
            expect(shownInputs(b).buildArgs.BASE_IMAGE).toBe(`${BASE}@${digest}`);
        }
        const provider = findResource(plan, "pulumi:providers:docker", "pg-trickle-registry-lookup");
        expect(shownInputs(provider).disableDockerDaemonCheck).toBe("true");
    });

    it("pass exactly the build args the Dockerfile declares, and the named files context", () => {
        const i = shownInputs(image("pg-trickle-full-pg18-amd64"));
        expect(Object.keys(i.buildArgs).sort()).toEqual(["BASE_IMAGE", "PG_MAJOR", "PG_TRICKLE_VERSION"]);
        expect(i.buildArgs.PG_MAJOR).toBe("18");
        expect(i.buildArgs.PG_TRICKLE_VERSION).toBe("0.67.0");
        expect(i.context).toEqual({ location: "https://github.com/trickle-labs/pg-trickle.git#v0.67.0", named: { "pgtrickle-files": { location: "docker/files" } } });
    });

    it("label every image (OCI), with no timestamp", () => {
        const digest = placeholderDigest(`registry:${LOOKUP}`);
        for (const b of findResources(plan, IMAGE)) {
            const labels = shownInputs(b).labels;
            expect(labels).toMatchObject({
                "org.opencontainers.image.version": "0.67.0",
                "org.opencontainers.image.source": "https://github.com/trickle-labs/pg-trickle",
                "org.opencontainers.image.licenses": "Apache-2.0",
                "org.opencontainers.image.base.name": BASE,
                "org.opencontainers.image.base.digest": digest,
            });
            expect(labels["org.opencontainers.image.title"]).toMatch(/^pg_trickle/);
            expect(labels).not.toHaveProperty("org.opencontainers.image.created");
            expect(labels).not.toHaveProperty("org.opencontainers.image.revision");
        }
    });
});

describe("build settings from config", () => {
    it("use a base digest pinned in config instead of a look-up", async () => {
        const pinned = `sha256:${"a".repeat(64)}`;
        const plan = await planFor("release", { baseImageDigests: { "18": pinned } });
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).buildArgs.BASE_IMAGE).toBe(`${BASE}@${pinned}`);
        expect(findResources(plan, "pulumi:providers:docker")).toEqual([]);
    });

    it("record the source revision", async () => {
        const plan = await planFor("release", { sourceRevision: "0123456789abcdef0123456789abcdef01234567" });
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).labels["org.opencontainers.image.revision"]).toBe(
            "0123456789abcdef0123456789abcdef01234567",
        );
    });

    it("use the GitHub Actions cache scoped per platform", async () => {
        const plan = await planFor("release", { cache: "gha" });
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-arm64")).cacheTo).toEqual([{ gha: { scope: "pg18-arm64", mode: "max" } }]);
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).cacheFrom).toEqual([{ gha: { scope: "pg18-amd64" } }]);
    });

    it("use a local cache in dev", async () => {
        const plan = await planFor("dev", { platforms: ["linux/amd64"] });
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).cacheTo).toEqual([{ local: { dest: ".buildcache/pg18-amd64", mode: "max" } }]);
    });
});

describe("PG-major matrix", async () => {
    // Only PostgreSQL 18 passes config validation today; the component itself handles any list.
    const { PgTrickleImage } = await import("../components/image/pg-trickle-image");
    const plan = await runOfflinePlan({
        stack: "release",
        loadProgram: async () => () => {
            const image = new PgTrickleImage("pg-trickle", {
                version: parseSemVer("1.0.0")!,
                pgMajors: [17, 18],
                platforms: ["linux/amd64", "linux/arm64"],
                repositories: ["docker.io/pgtrickle/pg_trickle"],
                push: true,
                load: false,
                source: "../pg-trickle",
                buildContexts: {},
                registries: [],
                builders: {},
                cache: "none",
                baseImage: "docker.io/library/postgres",
                baseImageDigests: {},
                recordedBaseDigests: {},
                rebase: false,
                extensionImage: { enabled: false, repositories: [] },
                publishedVersions: [],
                smokeTest: { enabled: true, timeoutSeconds: 60, platform: "linux/amd64" },
            });
            return { imageRef: image.ref };
        },
    });

    it("builds every major for every platform, each on its own pinned base", () => {
        const builds = findResources(plan, IMAGE);
        expect(builds.map((b) => b.name).sort()).toEqual([
            "pg-trickle-full-pg17-amd64",
            "pg-trickle-full-pg17-arm64",
            "pg-trickle-full-pg18-amd64",
            "pg-trickle-full-pg18-arm64",
        ]);
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg17-amd64")).buildArgs).toMatchObject({
            PG_MAJOR: "17",
            BASE_IMAGE: `docker.io/library/postgres:17-bookworm@${placeholderDigest("registry:library/postgres:17-bookworm")}`,
        });
    });

    it("smoke-tests each major's amd64 image before its tags move", () => {
        const smoke = findResources(plan, "pulumi-nodejs:dynamic:Resource");
        expect(smoke.map((s) => s.name)).toEqual(["pg-trickle-smoke-pg17", "pg-trickle-smoke-pg18"]);
        expect(shownInputs(smoke[0]).imageRef).toBe(`docker.io/pgtrickle/pg_trickle@${placeholderDigest("image:pg-trickle-full-pg17-amd64")}`);
        for (const index of findResources(plan, INDEX)) {
            const major = index.name.includes("pg17") ? "pg17" : "pg18";
            expect(index.dependencies).toContain(`pg-trickle-smoke-${major}`);
            expect(index.dependencies).not.toContain(`pg-trickle-smoke-${major === "pg17" ? "pg18" : "pg17"}`);
        }
    });

    it("tags each major, with latest on the newest only", () => {
        const tags = findResources(plan, INDEX).map((i) => i.name.split(":")[1]);
        expect(tags.sort()).toEqual(["1.0.0-pg17", "1.0-pg17", "1-pg17", "pg17", "1.0.0-pg18", "1.0-pg18", "1-pg18", "pg18", "latest"].sort());
        expect(plan.outputs.imageRef).toMatch(/^docker\.io\/pgtrickle\/pg_trickle@sha256:/);
        const pg18exact = findResource(plan, INDEX, "docker.io/pgtrickle/pg_trickle:1.0.0-pg18");
        expect(shownInputs(pg18exact).sources).toEqual([
            `docker.io/pgtrickle/pg_trickle@${placeholderDigest("image:pg-trickle-full-pg18-amd64")}`,
            `docker.io/pgtrickle/pg_trickle@${placeholderDigest("image:pg-trickle-full-pg18-arm64")}`,
        ]);
    });
});
