import assert from "node:assert/strict";
import { closestMatch, editDistance } from "../../../components/spec/suggest";

describe("did-you-mean suggestions", () => {
  it("counts a swap of adjacent letters as one edit", () => {
    assert.equal(editDistance("calcio", "calico"), 1);
    assert.equal(editDistance("authorisation", "authorization"), 1);
  });

  it("suggests the closest key for a plausible typo, ignoring case", () => {
    assert.equal(closestMatch("authorisation", ["authorization", "calico"]), "authorization");
    assert.equal(closestMatch("PodCIDR", ["podCidr", "serviceCidr"]), "podCidr");
  });

  it("suggests nothing when no key is close", () => {
    assert.equal(closestMatch("colour", ["networkPolicy", "calico"]), undefined);
  });
});
