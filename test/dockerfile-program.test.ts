import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { DOCKERFILE_TARGETS, FILES_CONTEXT } from "../components/image/dockerfile-layout";
import { BuildRequest, checkBuildAgainstDockerfile } from "./support/dockerfile-contract";
import { findResources, PlannedResource, PlanResult, planFor } from "./support/offline-plan";

// Pulumi runs the program in the project root, so relative build paths resolve from there.
const ROOT = path.resolve(__dirname, "..");
const DOCKERFILE_PATH = path.join(ROOT, "docker", "Dockerfile");
const DOCKERFILE = fs.readFileSync(DOCKERFILE_PATH, "utf8");

/** What a docker-build Image resource asks of the Dockerfile. */
function buildRequest(image: PlannedResource): BuildRequest {
    const inputs = image.inputs as {
        buildArgs?: Record<string, unknown>;
        target?: string;
        context?: { named?: Record<string, unknown> };
    };
    return {
        // A value the plan cannot know yet stays undefined: passed, but not used to classify sources.
        buildArgs: Object.fromEntries(
            Object.entries(inputs.buildArgs ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : undefined]),
        ),
        target: inputs.target,
        namedContexts: Object.keys(inputs.context?.named ?? {}),
    };
}

const PLANS = [
    { stack: "dev", config: {} },
    { stack: "release", config: {} },
    { stack: "dev", config: { extensionImage: true } },
] as const;

describe.each(PLANS)("the $stack stack with $config builds what docker/Dockerfile offers", ({ stack, config }) => {
    let images: PlannedResource[];
    beforeAll(async () => {
        const plan: PlanResult = await planFor(stack, config);
        images = findResources(plan, "docker-build:index:Image");
    });

    it("plans at least one image build", () => {
        expect(images.length).toBeGreaterThan(0);
    });

    it("passes only build args, a target and named contexts that the Dockerfile declares and uses", () => {
        for (const image of images) {
            expect(checkBuildAgainstDockerfile(DOCKERFILE, buildRequest(image)), image.name).toEqual([]);
        }
    });

    it("passes this project's docker/Dockerfile inline (a git URL context would read a relative location from the remote repository) and the files context at docker/files", () => {
        for (const image of images) {
            const inputs = image.inputs as {
                dockerfile?: { location?: string; inline?: string };
                context?: { named?: Record<string, { location?: string }> };
            };
            expect(inputs.dockerfile, image.name).toEqual({ inline: DOCKERFILE });
            const files = inputs.context?.named?.[FILES_CONTEXT]?.location;
            expect(files, image.name).toBeDefined();
            expect(path.resolve(ROOT, files!), image.name).toBe(path.join(ROOT, "docker", "files"));
        }
    });

    if ("extensionImage" in config) {
        it("builds both targets", () => {
            const targets = new Set(images.map((i) => (i.inputs as { target?: string }).target));
            expect([...targets].sort()).toEqual(Object.values(DOCKERFILE_TARGETS).sort());
        });
    }
});

describe("the cross-check", () => {
    let image: PlannedResource;
    beforeAll(async () => {
        image = findResources(await planFor("dev", {}), "docker-build:index:Image")[0];
    });

    it("fails on a build arg the Dockerfile does not declare", () => {
        const request = buildRequest(image);
        request.buildArgs = { ...request.buildArgs, PGTRICKLE_FEATURES: "pg18" };
        expect(checkBuildAgainstDockerfile(DOCKERFILE, request)).toEqual([
            'build arg "PGTRICKLE_FEATURES" is passed but the Dockerfile declares no ARG PGTRICKLE_FEATURES',
        ]);
    });

    it("fails on a target the Dockerfile does not have", () => {
        const request = { ...buildRequest(image), target: "full" };
        expect(checkBuildAgainstDockerfile(DOCKERFILE, request)).toEqual([
            'target "full" does not exist in the Dockerfile (stages: toolchain, planner, builder, runtime, extension)',
        ]);
    });

    it("fails when the runtime build lacks the files context", () => {
        const request = { ...buildRequest(image), target: DOCKERFILE_TARGETS.runtime, namedContexts: [] };
        expect(checkBuildAgainstDockerfile(DOCKERFILE, request)).toEqual([
            `named context "${FILES_CONTEXT}" is used by stage "runtime" of target "runtime" but the build does not provide it`,
        ]);
    });
});
