import { availableParallelism } from "os";
import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // One process per worker (Pulumi's runtime is process-global, and the files of a worker
        // run one after another), and one module graph per worker: loading the Pulumi SDKs once
        // per worker instead of once per file is most of the suite's time.
        pool: "forks",
        isolate: false,
        setupFiles: ["test/support/shared-worker.ts"],
        // vitest leaves a core free, which on two cores is one worker; the files wait on
        // processes (PostgreSQL, plans, npm) often enough that two workers share two cores well.
        maxWorkers: Math.max(2, availableParallelism() - 1),
        testTimeout: 30_000,
    },
});
