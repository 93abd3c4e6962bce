import assert from "node:assert/strict";
import {
  DEFAULT_LAB_IMAGES,
  DIGEST_UNVERIFIED,
  KIND_NODE_IMAGE,
  isPinnedByDigest,
  resolveLabImages,
  unpinnedImages,
  type LabImages,
} from "../../../lab/workloads/images";

const DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

describe("lab images", () => {
  it("every default image and the kind node image are pinned by digest, so none is listed as unverified", () => {
    for (const image of [...Object.values(DEFAULT_LAB_IMAGES), KIND_NODE_IMAGE]) assert.ok(isPinnedByDigest(image), image);
    assert.deepEqual(unpinnedImages({ ...DEFAULT_LAB_IMAGES }), []);
    assert.deepEqual(DIGEST_UNVERIFIED, []);
  });

  it("recognises a digest pin only with a full 64-hex sha256", () => {
    assert.ok(isPinnedByDigest(`curlimages/curl:8.11.1@${DIGEST}`));
    assert.ok(isPinnedByDigest(`localhost:5000/curl@${DIGEST}`));
    assert.ok(!isPinnedByDigest("curlimages/curl:8.11.1"));
    assert.ok(!isPinnedByDigest("curlimages/curl:8.11.1@sha256:abc"));
  });

  it("applies overrides and leaves the other images at their defaults", () => {
    const curl = `mirror.example/curl:8.11.1@${DIGEST}`;
    assert.deepEqual(resolveLabImages({ curl }), { echoServer: DEFAULT_LAB_IMAGES.echoServer, curl });
    assert.deepEqual(resolveLabImages(), { ...DEFAULT_LAB_IMAGES });
  });

  it("accepts a tag-only override but reports it as unpinned", () => {
    const images = resolveLabImages({ echoServer: "localhost:5000/echo:dev" });
    assert.deepEqual(unpinnedImages(images), ["echoServer"]);
  });

  it("rejects an unknown image key or a malformed reference, naming the field", () => {
    assert.throws(() => resolveLabImages({ busybox: "busybox:1" } as Partial<LabImages>), /images\.busybox: unknown image/);
    assert.throws(() => resolveLabImages({ curl: "curl 8" }), /images\.curl: "curl 8" is not an image reference/);
  });
});
