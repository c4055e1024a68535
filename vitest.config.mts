import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Each file gets its own worker: Pulumi's runtime (mocks, config) is process-global.
        pool: "forks",
        testTimeout: 30_000,
    },
});
