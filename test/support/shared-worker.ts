import { afterAll } from "vitest";
import { uninstallMockRuntime } from "../../plan/mock-runtime";

// vitest.config.mts runs the files of a worker in one module graph (isolate: false), so they
// share one Pulumi SDK: each file leaves it as the SDK ships it for the next, whatever mock
// runtime it installed (the next may serialize a dynamic provider for real).
afterAll(uninstallMockRuntime);
