import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/config-error";
import { parseSemVer, SemVer } from "../image/semver";

/** Name of the stack output that records every version this stack has published. */
export const PUBLISHED_OUTPUT = "publishedVersions";

/**
 * Reads the versions this stack published in earlier updates, through a stack
 * reference to itself (its last outputs), so a backport cannot move floating tags
 * backwards even when nobody remembered to set `publishedVersions` in config.
 */
export async function previouslyPublished(): Promise<SemVer[]> {
    const self = new pulumi.StackReference("published-versions", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const details = await self.getOutputDetails(PUBLISHED_OUTPUT);
    const value: unknown = details.value ?? [];
    if (!Array.isArray(value)) {
        throw new ConfigError("trackPublishedVersions", `the stack output ${PUBLISHED_OUTPUT} is not a list: ${JSON.stringify(value)}`);
    }
    return value.map((text) => {
        const v = typeof text === "string" ? parseSemVer(text) : undefined;
        if (!v) {
            throw new ConfigError("trackPublishedVersions", `the stack output ${PUBLISHED_OUTPUT} holds "${text}", which is not SemVer`);
        }
        return v;
    });
}
