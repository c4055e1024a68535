import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const PROJECT = path.resolve(__dirname, "..");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(PROJECT, "package.json"), "utf8")) as { dependencies: Record<string, string> };

/** The versions the rehearsal runs; rehearsal/build-tools.sh builds the same ones. */
export const TOOLS = {
    pulumi: PACKAGE.dependencies["@pulumi/pulumi"],
    dockerBuild: PACKAGE.dependencies["@pulumi/docker-build"],
    languageHost: "v3.68.0",
    buildkit: "v0.31.0",
} as const;

/** Where rehearsal/build-tools.sh keeps what it builds. */
export const TOOL_CACHE = process.env.PG_TRICKLE_TOOLS ?? path.join(process.env.HOME ?? "/root", ".cache", "pg-trickle-infra", "tools");

export interface ToolPaths {
    pulumi: string;
    dockerBuild: string;
    /** Directories to put first on PATH: the CLI's own, with its language host and the dynamic provider's launcher. */
    pluginDirs: string[];
}

/** A Pulumi CLI already installed at the pinned version (a maintainer's machine), with the plugins installed beside it. */
function installedPulumi(): ToolPaths | undefined {
    const found = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" }).stdout.trim();
    if (!found || spawnSync(found, ["version"], { encoding: "utf8" }).stdout.trim() !== `v${TOOLS.pulumi}`) {
        return undefined;
    }
    const dir = path.dirname(fs.realpathSync(found));
    return { pulumi: found, dockerBuild: "", pluginDirs: fs.existsSync(path.join(dir, "pulumi-language-nodejs")) ? [dir] : [] };
}

/**
 * The Pulumi CLI, its Node.js language host and the docker-build provider: an installed CLI of
 * the pinned version when there is one, otherwise built from the Go module proxy (cached), with
 * BuildKit and buildx for the environment.
 */
export async function tools(): Promise<ToolPaths> {
    const installed = installedPulumi();
    const wanted = installed?.pluginDirs.length ? ["docker-build", "buildkit", "buildx"] : ["pulumi", "docker-build", "buildkit", "buildx"];
    await new Promise<void>((resolve, reject) => {
        const child = spawn("bash", [path.join(__dirname, "build-tools.sh"), ...wanted], { cwd: PROJECT, stdio: ["ignore", "inherit", "inherit"] });
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`rehearsal/build-tools.sh ${wanted.join(" ")} exited ${code}`))));
    });
    const dockerBuild = path.join(TOOL_CACHE, `docker-build-${TOOLS.dockerBuild}`, "pulumi-resource-docker-build");
    if (installed?.pluginDirs.length) {
        return { ...installed, dockerBuild };
    }
    const cli = path.join(TOOL_CACHE, `pulumi-${TOOLS.pulumi}`);
    return { pulumi: path.join(cli, "pulumi"), dockerBuild, pluginDirs: [cli] };
}
