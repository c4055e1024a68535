import { execFile } from "child_process";
import * as path from "path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");

/** Runs the offline plan the way `npm run plan --` does. */
function plan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", "./plan/register-ts.cjs", "plan/cli.ts", ...args],
            { cwd: ROOT, timeout: 20_000 },
            (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

describe.concurrent("npm run plan", () => {
    it.each(["release", "dev"])("prints the documented JSON for %s", async (stack) => {
        const r = await plan("--stack", stack, "--json");
        expect(r.code, r.stderr).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(Object.keys(json)).toEqual(["stack", "resources", "outputs"]);
        expect(json.stack).toBe(stack);
        for (const res of json.resources) {
            expect(Object.keys(res)).toEqual(["type", "name", "parent", "inputs"]);
            expect(res.parent === null || typeof res.parent === "string").toBe(true);
        }
        expect(json.outputs.imageRef).toMatch(/^docker\.io\/pgtrickle\/pg_trickle/);
    });

    it("takes --config values as JSON when they parse as JSON, and shows --secret values as [secret]", async () => {
        const r = await plan(
            "--stack", "release", "--json",
            "--config", "version=1.3.0-rc.1",
            "--config", "extensionImage=false",
            "--secret", 'registries={"docker.io":{"username":"u","password":"hunter2-token"}}',
        );
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).not.toContain("hunter2-token");
        const tags = JSON.parse(r.stdout).resources.filter((x: { type: string }) => x.type === "docker-build:index:Index");
        expect(tags.map((t: { name: string }) => t.name)).toEqual(["docker.io/pgtrickle/pg_trickle:1.3.0-rc.1-pg18"]);
        expect(tags[0].inputs.registry).toBe("[secret]");
    });

    it("prints a readable summary without --json", async () => {
        const r = await plan("--stack", "release");
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain("Image builds (4):");
        expect(r.stdout).toContain("platform linux/arm64, target runtime");
        expect(r.stdout).toContain("  docker.io/pgtrickle/pg_trickle:latest");
        expect(r.stdout).toContain("Smoke test pg-trickle-smoke-pg18 (every tag below waits for it):");
        expect(r.stdout).toContain("registry credentials for docker.io: placeholder");
        expect(r.stdout).toMatch(/imageRef: docker\.io\/pgtrickle\/pg_trickle@sha256:[0-9a-f]{64}/);
    });

    it.each([
        [["--stack", "release", "--json", "--config", "pgMajors=[17]"], /^Invalid config pg-trickle-infra:pgMajors: 17 cannot be built: the Dockerfile supports PostgreSQL 18\n$/],
        [["--stack", "release", "--json", "--config", "version"], /^--config takes key=value/],
    ])("exits 2 with one line on stderr and nothing on stdout for %j", async (args, message) => {
        const r = await plan(...args);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(message);
    });
});
