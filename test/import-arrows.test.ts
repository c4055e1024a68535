import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

// The arrows go one way: index.ts → components/config (the stack config, which composes
// the components' settings) → the components → components/settings (ConfigError and
// the typed readers every setting's validation uses). Program code never imports tooling.

const ROOT = path.resolve(__dirname, "..");

/** Project-relative paths of what `source` (the file at `file`) imports by relative path, statically or dynamically. */
function relativeImports(file: string, source: string): string[] {
    const specifiers = [...source.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(
        (m) => m[1] ?? m[2] ?? m[3],
    );
    return specifiers.filter((s) => s.startsWith(".")).map((s) => path.posix.join(path.posix.dirname(file), s));
}

function tsFilesUnder(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.posix.join(dir, f.split(path.sep).join("/")));
}

/** `file`'s imports that land under one of `forbidden` (folders, project-relative). */
function importsInto(file: string, forbidden: readonly string[]): string[] {
    const source = fs.readFileSync(path.join(ROOT, file), "utf8");
    return relativeImports(file, source).filter((target) => forbidden.some((dir) => target === dir || target.startsWith(`${dir}/`)));
}

const COMPONENTS = ["cnpg", "image", "registry", "release", "smoke"].map((c) => `components/${c}`);

describe("relativeImports", () => {
    it.each([
        ['import { ConfigError } from "../config/config-error";', ["components/config/config-error"]],
        ["import type { X } from '../config/stack-config';", ["components/config/stack-config"]],
        ['const { CnpgCluster } = await import("./cnpg-cluster");', ["components/image/cnpg-cluster"]],
        ['const closure = require("../../plan/mock-runtime");', ["plan/mock-runtime"]],
        ['export { PG_TRICKLE } from "./recommended-settings";', ["components/image/recommended-settings"]],
        ['import * as pulumi from "@pulumi/pulumi";', []],
    ])("%s → %j", (source, expected) => {
        expect(relativeImports("components/image/x.ts", source)).toEqual(expected);
    });
});

describe("import arrows", () => {
    it.each(COMPONENTS)("%s never imports the stack config", (dir) => {
        const offending = tsFilesUnder(dir).flatMap((f) => importsInto(f, ["components/config"]).map((t) => `${f} → ${t}`));
        expect(offending).toEqual([]);
    });

    it("components/settings is neutral: it imports no component", () => {
        const offending = tsFilesUnder("components/settings").flatMap((f) => importsInto(f, [...COMPONENTS, "components/config"]).map((t) => `${f} → ${t}`));
        expect(offending).toEqual([]);
    });

    it("program code never imports the plan's or the tests' tooling", () => {
        const program = ["index.ts", ...tsFilesUnder("components")];
        const offending = program.flatMap((f) => importsInto(f, ["plan", "test"]).map((t) => `${f} → ${t}`));
        expect(offending).toEqual([]);
    });
});
