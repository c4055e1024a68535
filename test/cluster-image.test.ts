import { describe, expect, it } from "vitest";
import { placeholderDigest } from "../plan/mock-runtime";
import { findResource, findResources, planError, planFor } from "./support/offline-plan";

// The evaluation cluster's image in kind's plain-HTTP registry: pushed by digest, never
// through an Index (docker-build reads an Index back over HTTPS only).

const OPERAND = `ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm@sha256:${"d".repeat(64)}`;
const arch = process.arch === "arm64" ? "arm64" : "amd64";
const EXTENSION_KIND = {
    enabled: true,
    context: "kind-pg-trickle",
    mode: "extension",
    operandImage: OPERAND,
    imageRepository: "localhost:5001/pg_trickle-ext",
};

describe("the eval cluster's image in kind's registry", () => {
    it("in extension mode is the extension-only image, pushed by digest to cnpg.imageRepository, no tag, no push", async () => {
        const plan = await planFor("dev", { cnpg: EXTENSION_KIND, extensionImage: true });
        const cluster = findResource(plan, "docker-build:index:Image", `pg-trickle-ext-pg18-${arch}-cluster`);
        expect((cluster.inputs as any).exports).toEqual([
            { raw: "type=image,name=localhost:5001/pg_trickle-ext,push=true,push-by-digest=true,registry.insecure=true" },
        ]);
        expect(findResources(plan, "docker-build:index:Index")).toEqual([]);
        expect(findResources(plan, "docker-build:index:Image").some((i) => i.name.startsWith("pg-trickle-full-") && i.name.endsWith("-cluster"))).toBe(false);
        const [spec] = findResources(plan, "kubernetes:postgresql.cnpg.io/v1:Cluster");
        expect((spec.inputs as any).spec.postgresql.extensions).toEqual([
            { name: "pg_trickle", image: { reference: `localhost:5001/pg_trickle-ext@${placeholderDigest(`image:${cluster.name}`)}` } },
        ]);
    });

    it("in extension mode needs the extension image built, or given", async () => {
        const err = await planError("dev", { cnpg: EXTENSION_KIND });
        expect(err.message).toMatch(/^Invalid config pg-trickle-infra:cnpg\.extensionImage: is required in extension mode unless/);
    });
});
