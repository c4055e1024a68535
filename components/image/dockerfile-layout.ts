/**
 * What the program asks of docker/Dockerfile. Paths are relative to the project root
 * (Pulumi runs the program there): relative paths keep the state identical across
 * machines, so a release engineer's `up` and CI's `preview` see no diff of absolute paths.
 */
export const DOCKERFILE_PATH = "docker/Dockerfile";

/** Stages the program builds. */
export const DOCKERFILE_TARGETS = { runtime: "runtime", extension: "extension" } as const;

/**
 * Named build context with the files this project adds to the image (defaults file,
 * initdb script): the main context is the pg_trickle source, which does not have them.
 */
export const FILES_CONTEXT = "pgtrickle-files";
export const FILES_CONTEXT_PATH = "docker/files";
