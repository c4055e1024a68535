import { loadStackConfig } from "./components/config/stack-config";
import { registryOf } from "./components/image/image-reference";
import { OFFICIAL_POSTGRES_UID } from "./components/image/pg-majors";
import { PgTrickleImage } from "./components/image/pg-trickle-image";
import { EMPTY_RECORD, readReleaseRecord, recordPublished } from "./components/release/release-record";
import { listRegistryTags, TagLister } from "./components/registry/registry-tags";

// The program is async because the tags (resource names) depend on the versions this
// stack published before, read back from its own outputs and from the registries.
// `listTags` is the registry API in a real run; the offline plan passes its own.
export = async (listTags: TagLister = listRegistryTags) => {
    const config = loadStackConfig();
    const pushedRepositories = [...config.repositories, ...(config.extensionImage.enabled ? config.extensionImage.repositories : [])];
    const record = config.trackPublishedVersions
        ? await readReleaseRecord({ repositories: pushedRepositories, registries: config.registries, listTags })
        : EMPTY_RECORD;
    const published = [...config.publishedVersions, ...record.versions];

    const image = new PgTrickleImage("pg-trickle", {
        ...config,
        publishedVersions: published,
        recordedBaseDigests: record.bases[config.version.raw] ?? {},
    });
    // The image the eval cluster pulls from cnpg.imageRepository, pinned by digest.
    const clusterRef = (flavour: "full" | "ext") => (config.cluster?.flavour === flavour ? image.clusterRef.apply((r) => r!) : undefined);

    // Loaded only when used: @pulumi/kubernetes is the slowest SDK to load, and the
    // release stack (and its offline plan, which reviewers wait for) never needs it.
    const { CnpgCluster } = config.cnpg.enabled ? await import("./components/cnpg/cnpg-cluster") : { CnpgCluster: undefined };
    const cluster = CnpgCluster
        ? new CnpgCluster("pg-trickle", {
              settings: config.cnpg,
              image: {
                  ref: clusterRef("full") ?? image.ref,
                  pgMajor: config.pgMajors[config.pgMajors.length - 1],
                  uid: OFFICIAL_POSTGRES_UID,
                  gid: OFFICIAL_POSTGRES_UID,
              },
              // The extension image this stack builds, if the cluster can pull it; otherwise cnpg.extensionImage.
              extensionImageRef: clusterRef("ext") ?? (config.push && config.extensionImage.enabled ? image.extensionRef.apply((r) => r!) : undefined),
              // Credentials of the registries the cluster pulls from, for its pull secret.
              pullCredentials: config.registries.filter((c) =>
                  [config.cluster?.repository ?? config.repositories[0], ...(config.extensionImage.enabled ? [config.extensionImage.repositories[0]] : [])]
                      .map(registryOf)
                      .includes(c.address),
              ),
          })
        : undefined;

    return {
        imageRef: image.ref,
        ...(config.extensionImage.enabled ? { extensionImageRef: image.extensionRef } : {}),
        tags: image.tags,
        baseImages: image.baseImages,
        // Recorded only by stacks that publish, and read back by the next release.
        publishedVersions: config.push ? recordPublished(published, config.version) : published.map((v) => v.raw),
        publishedBases: config.push ? image.baseDigests.apply((bases) => ({ ...record.bases, [config.version.raw]: bases })) : record.bases,
        ...(cluster
            ? {
                  cluster: {
                      namespace: cluster.namespace,
                      name: cluster.clusterName,
                      host: cluster.host,
                      appSecret: cluster.appSecretName,
                      image: cluster.operandImage,
                      connect: cluster.connectionHint,
                  },
              }
            : {}),
    };
};
