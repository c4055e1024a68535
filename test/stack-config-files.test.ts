import * as fs from "fs";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { formatConfigPath, parseConfigPath, setAtPath } from "../plan/config-path";
import { InputError } from "../plan/input-error";
import { PROJECT_DIR } from "../plan/offline-plan";
import { knownStacks, mergeStackConfig, parseOverride } from "../plan/stack-config-files";
import { projectWith } from "./support/project-dir";

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));


function inputError(f: () => unknown): string {
    try {
        f();
    } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
    }
    throw new Error("expected an InputError");
}

describe("parseConfigPath", () => {
    it.each<[string, string, (string | number)[]]>([
        ["version", "version", []],
        ["pg-trickle-infra:cnpg.enabled", "pg-trickle-infra:cnpg", ["enabled"]],
        ["cnpg.storage.size", "cnpg", ["storage", "size"]],
        ['builders["linux/arm64"]', "builders", ["linux/arm64"]],
        ['registries["localhost:5001"].username', "registries", ["localhost:5001", "username"]],
        ['cnpg.parameters["pg_trickle.enabled"]', "cnpg", ["parameters", "pg_trickle.enabled"]],
        ["platforms[1]", "platforms", [1]],
    ])("%s → %s %j", (text, key, steps) => {
        expect(parseConfigPath(text)).toEqual({ key, steps });
    });

    it.each(["cnpg..enabled", "cnpg.", '["cnpg"]', 'builders["linux/arm64"', "platforms[x]", "[0]", "a]"])("rejects %s", (text) => {
        expect(inputError(() => parseConfigPath(text))).toContain(`"${text}" is not a config path`);
    });

    it.each(['cnpg.storage.size', 'builders["linux/arm64"]', "platforms[0]", 'cnpg.parameters["pg_trickle.enabled"]'])("formats %s back", (text) => {
        const p = parseConfigPath(text);
        expect(formatConfigPath(p.key, p.steps)).toBe(text);
    });
});

describe("setAtPath", () => {
    const at = (text: string) => parseConfigPath(text);
    it.each<[unknown, string, unknown, unknown]>([
        [{ enabled: true, context: "k" }, "cnpg.enabled", false, { enabled: false, context: "k" }],
        [undefined, "cnpg.storage.size", "2Gi", { storage: { size: "2Gi" } }],
        [{ storage: { size: "1Gi", storageClass: "fast" } }, "cnpg.storage.size", "2Gi", { storage: { size: "2Gi", storageClass: "fast" } }],
        [["linux/amd64"], "platforms[1]", "linux/arm64", ["linux/amd64", "linux/arm64"]],
        [["linux/amd64"], "platforms[0]", "linux/arm64", ["linux/arm64"]],
        [{ a: 1 }, "x", 2, 2],
    ])("%j with %s=%j → %j", (current, text, leaf, expected) => {
        const before = JSON.stringify(current);
        expect(setAtPath(current, at(text), leaf)).toEqual(expected);
        expect(JSON.stringify(current)).toBe(before);
    });

    it.each<[unknown, string, string]>([
        [{ enabled: true }, "cnpg.enabled.x", "cannot set cnpg.enabled.x: cnpg.enabled is true, not an object"],
        ["kind", "cnpg.context", 'cannot set cnpg.context: cnpg is "kind", not an object'],
        [["a"], "platforms[2]", "cannot set platforms[2]: platforms has 1 item(s); index 2 would leave a gap"],
        [{ a: 1 }, "platforms[0]", 'cannot set platforms[0]: platforms is {"a":1}, not a list'],
    ])("%j with %s fails", (current, text, message) => {
        expect(inputError(() => setAtPath(current, at(text), 1))).toBe(message);
    });
});

describe("parseOverride", () => {
    it.each<[string, [string, unknown]]>([
        ["version=1.3.0", ["version", "1.3.0"]],
        ["push=true", ["push", true]],
        ['platforms=["linux/amd64"]', ["platforms", ["linux/amd64"]]],
        ["cnpg.instances=2", ["cnpg.instances", 2]],
        ["source=a=b", ["source", "a=b"]],
    ])("%s", (arg, expected) => {
        expect(parseOverride("--config", arg)).toEqual(expected);
    });

    it("never echoes a --secret argument", () => {
        expect(inputError(() => parseOverride("--secret", "hunter2"))).toBe("--secret takes key=value (the value is not shown)");
        expect(inputError(() => parseOverride("--config", "hunter2"))).toBe('--config takes key=value, got "hunter2"');
    });
});

describe("mergeStackConfig", () => {
    it("lists the stacks that have a stack file", () => {
        expect(knownStacks(PROJECT_DIR)).toEqual(["dev", "release"]);
    });

    it("merges a path into the stack file's value of the setting", () => {
        const merged = mergeStackConfig(PROJECT_DIR, "dev", { "cnpg.instances": 2 });
        expect(merged.values["pg-trickle-infra:cnpg"]).toEqual({ enabled: true, context: "kind-pg-trickle", imageRepository: "localhost:5001/pg_trickle", instances: 2 });
        // The stack file's one builder name is a string: a path into it is a mistake, said as such.
        expect(inputError(() => mergeStackConfig(PROJECT_DIR, "dev", { 'builders["linux/amd64"]': "x" }))).toBe(
            'cannot set builders["linux/amd64"]: builders is "pg-trickle-dev", not an object',
        );
    });

    it("applies overrides in order, secret ones last, and makes the setting of a secret path secret", () => {
        const merged = mergeStackConfig(PROJECT_DIR, "release", { 'registries["docker.io"].username': "bot" }, { 'registries["docker.io"].password': "tok" });
        expect(merged.values["pg-trickle-infra:registries"]).toEqual({ "docker.io": { username: "bot", password: "tok" } });
        expect(merged.secretKeys).toEqual(["pg-trickle-infra:registries"]);
    });

    it("says what it could not read offline: encrypted values, an ESC environment", () => {
        const dir = projectWith({ esc: "environment:\n  - pg-trickle/release\nconfig:\n  pg-trickle-infra:version: 1.0.0\n  pg-trickle-infra:registries:\n    docker.io:\n      username: bot\n      password:\n        secure: AAABAJ==\n" }, temps);
        const merged = mergeStackConfig(dir, "esc");
        expect(merged.values["pg-trickle-infra:registries"]).toEqual({ "docker.io": { username: "bot", password: "[secret]" } });
        expect(merged.secretKeys).toEqual(["pg-trickle-infra:registries"]);
        expect(merged.unread).toEqual([
            "pg-trickle-infra:registries: encrypted in the stack file, planned with a placeholder secret",
            expect.stringMatching(/Pulumi\.esc\.yaml: its environment \(Pulumi ESC\) is not read offline/),
        ]);
    });

    it("reads an empty stack file as no settings", () => {
        expect(mergeStackConfig(projectWith({ empty: "" }, temps), "empty").values["pg-trickle-infra:version"]).toBeUndefined();
    });

    it.each<[string, string, RegExp]>([
        ["dup", "config:\n  pg-trickle-infra:push: true\n  pg-trickle-infra:push: false\n", /Pulumi\.dup\.yaml:3:3: Map keys must be unique$/],
        ["tabs", "config:\n\tpg-trickle-infra:push: true\n", /Pulumi\.tabs\.yaml:2:1: Tabs are not allowed as indentation$/],
        ["flat", "config: {}\npg-trickle-infra:push: true\n", /Pulumi\.flat\.yaml:2: "pg-trickle-infra:push" is not a stack file key/],
        ["configlist", "config:\n  - pg-trickle-infra:push\n", /Pulumi\.configlist\.yaml:1: config must map settings to values, got \["pg-trickle-infra:push"\]$/],
    ])("names the file and line of a broken stack file: %s", (name, text, message) => {
        expect(inputError(() => mergeStackConfig(projectWith({ [name]: text }, temps), name))).toMatch(message);
    });

    it("names a setting whose namespace is a misspelt project name, and leaves other namespaces alone", () => {
        const dir = projectWith({ typo: "config:\n  pg-trikle-infra:version: 1.0.0\n  kubernetes:context: kind\n" }, temps);
        expect(inputError(() => mergeStackConfig(dir, "typo"))).toMatch(
            /Pulumi\.typo\.yaml: "pg-trikle-infra:version" is not in this project's namespace; did you mean pg-trickle-infra:version\?$/,
        );
        expect(inputError(() => mergeStackConfig(PROJECT_DIR, "dev", { "pg-trickle-infr:cnpg.enabled": false }))).toBe(
            '--config: "pg-trickle-infr:cnpg" is not in this project\'s namespace; did you mean pg-trickle-infra:cnpg?',
        );
        expect(mergeStackConfig(projectWith({ k8s: "config:\n  kubernetes:context: kind\n" }, temps), "k8s").values["kubernetes:context"]).toBe("kind");
    });

    it("names the known stacks for an unknown one", () => {
        const dir = projectWith({ a: "", b: "" }, temps);
        expect(inputError(() => mergeStackConfig(dir, "prod"))).toBe(`unknown stack "prod": there is no ${path.join(dir, "Pulumi.prod.yaml")}; known stacks: a, b`);
    });
});
