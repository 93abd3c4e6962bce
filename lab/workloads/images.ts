// Pinned images of the lab: every one BY DIGEST (`repo:tag@sha256:<64 hex>`), so a lab run today and
// one next year pull the same bytes. Each is overridable (mirrors, air-gapped registries, newer
// pins) through `resolveLabImages(overrides)`; the PlatformSpec contract is left untouched.
//
// Where each digest comes from (no digest here was invented):
// - kindest/node v1.36.4: the Kubernetes 1.36 image published with kind v0.33.0 (whose default is
//   1.37, outside what Istio 1.30/1.31 support, DESIGN §3). The same tag@digest pair is pinned by
//   many independent public kind setups that cite the kind v0.33.0 release notes; the release-notes
//   page itself was not in the searchable corpus.
// - node 22.22.0-alpine3.23: the multi-arch index digest used verbatim by many public Dockerfiles.
// - curlimages/curl 8.11.1: the multi-arch index digest pinned by many public scripts/manifests.

/** Images the demo workloads run. */
export interface LabImages {
  /** Runs the echo server program (`node /app/server.js`); the image's `node` user is UID 1000. */
  echoServer: string;
  /** Probe clients (client, debug, bypass); the image's `curl_user` is UID 100. */
  curl: string;
}

/** Kubernetes 1.36.4 node image (Istio 1.30/1.31 support Kubernetes 1.32–1.36). */
export const KIND_NODE_IMAGE =
  "kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed";

export const DEFAULT_LAB_IMAGES: Readonly<LabImages> = Object.freeze({
  echoServer: "node:22.22.0-alpine3.23@sha256:e4bf2a82ad0a4037d28035ae71529873c069b13eb0455466ae0bc13363826e34",
  curl: "curlimages/curl:8.11.1@sha256:c1fe1679c34d9784c1b0d1e5f62ac0a79fca01fb6377cdd33e90473c6f9f9a69",
});

/** Non-root UIDs the images' own users have; the pods pin them explicitly (Pod Security `restricted`). */
export const IMAGE_USERS = Object.freeze({ echoServer: 1000, curl: 100 });

/**
 * Images whose digest could not be verified from a public source and are pinned by tag only
 * (each marked `TODO(digest)` above). Empty: every default is pinned by a digest found upstream.
 */
export const DIGEST_UNVERIFIED: readonly (keyof LabImages | "kindNode")[] = Object.freeze([]);

const DIGEST_PINNED = /^[a-z0-9][a-zA-Z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;
const IMAGE_REFERENCE = /^[a-z0-9][a-zA-Z0-9._\-/:]*(@sha256:[0-9a-f]{64})?$/;

/** True for `name[:tag]@sha256:<64 lowercase hex>`. */
export function isPinnedByDigest(image: string): boolean {
  return DIGEST_PINNED.test(image);
}

/**
 * The lab's images with `overrides` applied. An override must be a plain image reference; it may
 * omit the digest (e.g. a locally built image), which `unpinnedImages` then reports.
 */
export function resolveLabImages(overrides: Partial<LabImages> = {}): LabImages {
  const resolved: LabImages = { ...DEFAULT_LAB_IMAGES };
  for (const key of Object.keys(overrides) as (keyof LabImages)[]) {
    if (!(key in DEFAULT_LAB_IMAGES)) {
      throw new Error(
        `images.${String(key)}: unknown image; the overridable images are ${Object.keys(DEFAULT_LAB_IMAGES).join(", ")}`,
      );
    }
    const image = overrides[key];
    if (image === undefined) continue;
    if (typeof image !== "string" || !IMAGE_REFERENCE.test(image)) {
      throw new Error(
        `images.${key}: ${JSON.stringify(image)} is not an image reference; use "repository:tag@sha256:<64 hex>"`,
      );
    }
    resolved[key] = image;
  }
  return resolved;
}

/** Names of the images in `images` that are not pinned by digest. */
export function unpinnedImages(images: LabImages): (keyof LabImages)[] {
  return (Object.keys(images) as (keyof LabImages)[]).filter((key) => !isPinnedByDigest(images[key]));
}
