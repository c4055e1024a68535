import { loadStackConfig } from "./components/config/stack-config";
import { PgTrickleImage } from "./components/image/pg-trickle-image";
import { recordPublished } from "./components/image/tag-policy";
import { previouslyPublished } from "./components/release/published-versions";

// The program is async because the tags (resource names) depend on the versions this
// stack published before, read back through a stack reference to itself.
export = async () => {
    const config = loadStackConfig();
    const published = [...config.publishedVersions, ...(config.trackPublishedVersions ? await previouslyPublished() : [])];

    const image = new PgTrickleImage("pg-trickle", { ...config, publishedVersions: published });

    return {
        imageRef: image.ref,
        ...(config.extensionImage.enabled ? { extensionImageRef: image.extensionRef } : {}),
        tags: image.tags,
        // Recorded only by stacks that publish, and read back by the next release.
        publishedVersions: config.push ? recordPublished(published, config.version) : published.map((v) => v.raw),
    };
};
