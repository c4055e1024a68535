import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { csvField, dockerLoadExport, pushByDigestExport } from "../components/image/image-exports";
import { parseCsv } from "../components/text/csv";
import { findResource, findResources, planError, planFor, shownInputs } from "./support/offline-plan";

const IMAGE = "docker-build:index:Image";

/** The attributes buildx reads from a raw export: CSV fields of `key=value`; a repeated key keeps the last. */
function exportAttrs(raw: string): Record<string, string> {
    return Object.fromEntries(parseCsv(raw)[0].map((f) => [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)]));
}

describe("exports as buildx reads them", () => {
    it.each([
        ["plain", "plain"],
        ["name=a,b", '"name=a,b"'],
        ['say "hi"', '"say ""hi"""'],
    ])("quotes the CSV field %s as %s", (field, quoted) => {
        expect(csvField(field)).toBe(quoted);
        expect(parseCsv(quoted)).toEqual([[field]]);
    });

    it("pushes by digest to every repository in one name attribute", () => {
        const { raw } = pushByDigestExport(["docker.io/pgtrickle/pg_trickle", "ghcr.io/trickle-labs/pg_trickle"], { insecure: false });
        expect(exportAttrs(raw as string)).toEqual({
            type: "image",
            name: "docker.io/pgtrickle/pg_trickle,ghcr.io/trickle-labs/pg_trickle",
            push: "true",
            "push-by-digest": "true",
        });
    });

    it("pushes to a loopback registry over plain HTTP", () => {
        expect(exportAttrs(pushByDigestExport(["localhost:5001/pg_trickle"], { insecure: true }).raw as string)["registry.insecure"]).toBe("true");
    });

    it("loads every local tag", () => {
        const names = ["docker.io/pgtrickle/pg_trickle:0.67.0-pg18", "docker.io/pgtrickle/pg_trickle:latest"];
        expect(exportAttrs(dockerLoadExport(names).raw as string)).toEqual({ type: "docker", name: names.join(",") });
    });
});

describe("every Image has exactly one export (docker-build refuses more at check time)", () => {
    it.each([
        ["release", {}],
        ["release", { load: true, platforms: ["linux/amd64"], smokeTest: false }],
        ["dev", {}],
        ["dev", { cnpg: { enabled: false } }],
        ["dev", { extensionImage: true }],
    ] as const)("%s with %j", async (stack, config) => {
        const plan = await planFor(stack, config);
        const images = findResources(plan, IMAGE);
        expect(images.length).toBeGreaterThan(0);
        for (const image of images) {
            expect(shownInputs(image).exports, image.name).toHaveLength(1);
        }
    });

    it("a stack that pushes and loads gets a second build of each image for the local engine", async () => {
        const plan = await planFor("release", { load: true, platforms: ["linux/amd64"], smokeTest: false, extensionImage: false });
        const load = findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64-load");
        expect(exportAttrs(shownInputs(load).exports[0].raw).type).toBe("docker");
        expect(load.dependencies).toContain("pg-trickle-full-pg18-amd64");
    });
});

describe("the offline plan's summary", () => {
    it("shows each build's Dockerfile passed inline, and every repository of its export", async () => {
        const { planSummary } = await import("../plan/render");
        const plan = await planFor("release", { repositories: ["docker.io/pgtrickle/pg_trickle", "ghcr.io/trickle-labs/pg_trickle"] }, {
            registries: { "docker.io": { username: "u", password: "p" }, "ghcr.io": { username: "u", password: "p" } },
        });
        const summary = planSummary(plan);
        const hash = createHash("sha256").update(fs.readFileSync(path.join(__dirname, "..", "docker", "Dockerfile"), "utf8")).digest("hex").slice(0, 12);
        expect(summary).toContain(`dockerfile docker/Dockerfile passed inline (`);
        expect(summary).toContain(`sha256:${hash}…)`);
        expect(summary).toContain("output push by digest to docker.io/pgtrickle/pg_trickle, ghcr.io/trickle-labs/pg_trickle");
    });
});

describe("builders and build contexts from config", () => {
    it("takes one builder name for every platform", async () => {
        const plan = await planFor("release", { builders: "pg-trickle-ci" });
        for (const image of findResources(plan, IMAGE)) {
            expect(shownInputs(image).builder, image.name).toEqual({ name: "pg-trickle-ci" });
        }
    });

    it("the dev stack builds on its documented host-network builder", async () => {
        const plan = await planFor("dev");
        for (const image of findResources(plan, IMAGE)) {
            expect(shownInputs(image).builder, image.name).toEqual({ name: "pg-trickle-dev" });
        }
    });

    it("adds extra named contexts to every build, e.g. one that replaces the builder stage", async () => {
        const builder = `docker-image://127.0.0.1:5000/rehearsal/pg_trickle-double@sha256:${"c".repeat(64)}`;
        const plan = await planFor("release", { buildContexts: { builder } });
        for (const image of findResources(plan, IMAGE)) {
            expect(shownInputs(image).context.named, image.name).toEqual({ "pgtrickle-files": { location: "docker/files" }, builder: { location: builder } });
        }
    });

    it("takes a local directory as a context", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
        try {
            const plan = await planFor("release", { buildContexts: { builder: dir } });
            expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).context.named.builder).toEqual({ location: dir });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it.each([
        [{ buildContexts: { "pgtrickle-files": "docker/files" } }, "buildContexts", /pgtrickle-files is this project's own/],
        [{ buildContexts: { Builder: "docker-image://x/y" } }, "buildContexts", /cannot name a build context/],
        [{ buildContexts: { builder: "./no/such/dir" } }, "buildContexts.builder", /neither a local directory nor/],
        [{ buildContexts: ["builder"] }, "buildContexts", /must be an object/],
        [{ builders: "not a name!" }, "builders", /is not a buildx builder name/],
    ])("refuses %j naming %s", async (config, key, problem) => {
        const err = await planError("release", config);
        expect(err.message.startsWith(`Invalid config pg-trickle-infra:${key}: `), err.message).toBe(true);
        expect(err.message).toMatch(problem);
    });

    it("accepts a git:// source with a ref", async () => {
        const plan = await planFor("release", { source: "git://127.0.0.1:9418/pg-trickle.git#v0.67.0" });
        expect(shownInputs(findResource(plan, IMAGE, "pg-trickle-full-pg18-amd64")).context.location).toBe("git://127.0.0.1:9418/pg-trickle.git#v0.67.0");
    });
});
