import * as fs from "fs";
import * as path from "path";

/** This project's Dockerfile. */
export const DOCKERFILE_PATH = path.resolve(__dirname, "../../docker/Dockerfile");

/**
 * The Dockerfile's text, passed to every build inline. With a git URL as the main
 * context (the default source), buildx reads a relative `dockerfile.location` from
 * inside the remote repository, i.e. pg_trickle's own file; inline text is always
 * this project's, and any change to it is a diff of the Image.
 */
export function readDockerfile(): string {
    return fs.readFileSync(DOCKERFILE_PATH, "utf8");
}

/** Stages the program builds. */
export const DOCKERFILE_TARGETS = { runtime: "runtime", extension: "extension" } as const;

/**
 * Named build context with the files this project adds to the image (defaults file,
 * initdb script): the main context is the pg_trickle source, which does not have them.
 * Relative to the project root (Pulumi runs the program and its providers there), so the
 * state is the same on every machine.
 */
export const FILES_CONTEXT = "pgtrickle-files";
export const FILES_CONTEXT_PATH = "docker/files";
