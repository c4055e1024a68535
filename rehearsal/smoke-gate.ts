/**
 * Runs the project's real smoke gate (components/smoke/container-smoke-test.ts) against an image
 * in the Docker engine `docker` on PATH talks to (DOCKER_HOST: the rehearsal's engine).
 *
 *   node -r ./plan/register-ts.cjs rehearsal/smoke-gate.ts <image@sha256:…> <expected version> [platform]
 *
 * Prints the gate's report (JSON) and exits 0 when it passes; prints its error message and
 * exits 1 when it fails.
 */
import { smokeTestImageInContainer } from "../components/smoke/container-smoke-test";

async function main(): Promise<void> {
    const [imageRef, expectedVersion, platform = "linux/amd64"] = process.argv.slice(2);
    if (!imageRef || !expectedVersion) {
        console.error("usage: smoke-gate.ts <image@sha256:…> <expected version> [platform]");
        process.exit(2);
    }
    const started = Date.now();
    try {
        const report = await smokeTestImageInContainer({ imageRef, expectedVersion, platform, readyTimeoutSeconds: 180 });
        console.log(JSON.stringify({ passed: true, seconds: (Date.now() - started) / 1000, report }));
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        console.log(JSON.stringify({ passed: false, seconds: (Date.now() - started) / 1000 }));
        process.exit(1);
    }
}

void main();
