import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { STRUCTURED_KEYS, TYPED_KEYS } from "../components/config/stack-config";

const ROOT = path.resolve(__dirname, "..");
const load = (file: string) => parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
const project = load("Pulumi.yaml");
const declared: Record<string, { type: string; items?: { type: string }; description?: string; default?: unknown }> = project.config;

/** Whether a value fits a Pulumi config type (string, integer, boolean, array with items). */
function fits(type: string, items: { type: string } | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value);
        case "boolean":
            return typeof value === "boolean";
        case "array":
            return Array.isArray(value) && value.every((v) => fits(items!.type, undefined, v));
        default:
            return false;
    }
}

describe("Pulumi.yaml", () => {
    it("is the pg-trickle-infra TypeScript project", () => {
        expect(project.name).toBe("pg-trickle-infra");
        expect(project.runtime).toMatchObject({ name: "nodejs", options: { typescript: true } });
    });

    it("types every setting the program reads, with a description (Pulumi's project schema)", () => {
        expect(Object.keys(declared).sort()).toEqual([...TYPED_KEYS].sort());
        for (const [key, decl] of Object.entries(declared)) {
            expect(["string", "integer", "boolean", "array"], key).toContain(decl.type);
            if (decl.type === "array") {
                expect(decl.items, `${key} needs items`).toBeDefined();
            }
            expect(decl.description?.length ?? 0, `${key} needs a description`).toBeGreaterThan(20);
            expect(Object.keys(decl).every((k) => ["type", "items", "description", "default", "secret"].includes(k)), key).toBe(true);
            if (decl.default !== undefined) {
                expect(fits(decl.type, decl.items, decl.default), `default of ${key}`).toBe(true);
            }
        }
    });

    it("declares no structured setting (Pulumi cannot type objects; the program validates them)", () => {
        for (const key of STRUCTURED_KEYS) {
            expect(declared).not.toHaveProperty(key);
        }
    });
});

describe.each(["dev", "release"])("Pulumi.%s.yaml", (stack) => {
    const config: Record<string, unknown> = load(`Pulumi.${stack}.yaml`).config;

    it("sets only known settings, each with its declared type", () => {
        for (const [full, value] of Object.entries(config)) {
            const [ns, key] = full.split(":");
            expect(ns).toBe("pg-trickle-infra");
            if ((STRUCTURED_KEYS as readonly string[]).includes(key)) {
                continue;
            }
            expect(declared, full).toHaveProperty(key);
            expect(fits(declared[key].type, declared[key].items, value), `${full} = ${JSON.stringify(value)}`).toBe(true);
        }
    });
});
