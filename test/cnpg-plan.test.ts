import { describe, expect, it } from "vitest";
import { placeholderDigest } from "../plan/mock-runtime";
import { crdValidator } from "./support/crd-schema";
import { findResource, findResources, planError, planFor, PlanResult } from "./support/offline-plan";

// The CNPG eval cluster as the whole program wires it (index.ts + stack config),
// through the offline plan: on in dev, off in release, running the image just built.

const COMPONENT = "pgtrickle:index:CnpgCluster";
const DIGEST = `sha256:${"d".repeat(64)}`;
const OPERAND = `ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm@${DIGEST}`;
/** A complete `cnpg` value for dev (an override replaces the stack file's whole object). */
const KIND = { enabled: true, context: "kind-pg-trickle", imageRepository: "localhost:5001/pg_trickle" };

const cnpgResource = (plan: PlanResult, kind: string) => {
    const [r] = findResources(plan, `kubernetes:postgresql.cnpg.io/v1:${kind}`);
    if (!r) {
        throw new Error(`the plan has no CNPG ${kind}`);
    }
    return r;
};

/** Every string in the stack outputs, wherever the program put the cluster's outputs. */
const outputStrings = (value: unknown): string[] =>
    typeof value === "string" ? [value] : typeof value === "object" && value !== null ? Object.values(value).flatMap(outputStrings) : [];

describe("the dev stack's eval cluster", () => {
    it("is on in dev and off in release", async () => {
        expect(findResources(await planFor("dev"), COMPONENT)).toHaveLength(1);
        expect(findResources(await planFor("release"), COMPONENT)).toEqual([]);
    });

    it("runs the image this stack just built, by digest", async () => {
        const plan = await planFor("dev", { cnpg: KIND });
        const image = (cnpgResource(plan, "ImageCatalog").inputs as any).spec.images[0];
        expect(image.major).toBe(18);
        const [repository, digest] = image.image.split("@");
        expect(repository).toBe("localhost:5001/pg_trickle");
        // The digest is the placeholder of one of the full image's builds.
        const builds = findResources(plan, "docker-build:index:Image").map((r) => placeholderDigest(`image:${r.name}`));
        expect(builds).toContain(digest);
    });

    it("deploys through the configured context and waits for the operator", async () => {
        const plan = await planFor("dev", { cnpg: { ...KIND, context: "kind-eval" } });
        const [component] = findResources(plan, COMPONENT);
        const [provider] = findResources(plan, "pulumi:providers:kubernetes").filter((r) => r.parent === component.name);
        expect(provider.inputs).toMatchObject({ context: "kind-eval" });
        const [chart] = findResources(plan, "kubernetes:helm.sh/v4:Chart");
        expect(chart.inputs).toMatchObject({ chart: "cloudnative-pg", version: "0.29.0" });
        expect(cnpgResource(plan, "Cluster").dependencies).toContain(chart.name);
    });

    it("plans specs the CNPG 1.30 API server accepts", async () => {
        const plan = await planFor("dev", { cnpg: KIND });
        for (const kind of ["ImageCatalog", "Cluster", "Database"]) {
            const r = cnpgResource(plan, kind);
            expect(crdValidator(kind)(r.inputs), kind).toEqual([]);
        }
    });

    it("outputs how to connect", async () => {
        const strings = outputStrings((await planFor("dev", { cnpg: KIND })).outputs);
        expect(strings).toContain("pg-trickle-rw.pg-trickle.svc");
        expect(strings.some((s) => s.includes("port-forward svc/pg-trickle-rw 15432:5432"))).toBe(true);
    });

    it("mounts the extension image in extension mode", async () => {
        const extensionImage = `docker.io/pgtrickle/pg_trickle-ext:0.67.0-pg18@${DIGEST}`;
        const plan = await planFor("dev", { cnpg: { ...KIND, mode: "extension", operandImage: OPERAND, extensionImage } });
        expect((cnpgResource(plan, "ImageCatalog").inputs as any).spec.images).toEqual([{ major: 18, image: OPERAND }]);
        expect((cnpgResource(plan, "Cluster").inputs as any).spec.postgresql.extensions).toEqual([
            { name: "pg_trickle", image: { reference: extensionImage } },
        ]);
    });

    it("turns off by config", async () => {
        const plan = await planFor("dev", { cnpg: { ...KIND, enabled: false } });
        expect(findResources(plan, COMPONENT)).toEqual([]);
        expect(findResources(plan, "pulumi:providers:kubernetes")).toEqual([]);
    });

    it.each([
        [{ ...KIND, instances: 0 }, "cnpg.instances"],
        [{ ...KIND, context: undefined }, "cnpg.context"],
        [{ ...KIND, parameters: { shared_preload_libraries: "pg_trickle" } }, "cnpg.parameters.shared_preload_libraries"],
        [{ ...KIND, storage: { size: "1GB" } }, "cnpg.storage.size"],
        [{ ...KIND, contxt: "kind-pg-trickle" }, "cnpg.contxt"],
    ])("rejects %j naming %s", async (cnpg, key) => {
        const e = await planError("dev", { cnpg });
        expect(e.message).toMatch(new RegExp(`^Invalid config pg-trickle-infra:${key.replace(/\./g, "\\.")}: `));
    });

    it("names the resources it plans after the component", async () => {
        const plan = await planFor("dev", { cnpg: KIND });
        const [component] = findResources(plan, COMPONENT);
        expect(findResource(plan, "kubernetes:postgresql.cnpg.io/v1:Cluster", `${component.name}-cluster`).parent).toBe(component.name);
    });
});
