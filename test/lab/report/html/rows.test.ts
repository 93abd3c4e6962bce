import { strict as assert } from "node:assert";
import { fillNames, templateNames } from "../../../../lab/report/html/rows";

describe("HTML report probe rows: tenant names as placeholders", () => {
  it("replaces the pair's names where they stand alone, so rows of interchangeable pairs are equal", () => {
    const a = templateNames("t0001->t0002/by-name/sidecar", "t0001", "t0002");
    const b = templateNames("t0007->t0009/by-name/sidecar", "t0007", "t0009");
    assert.equal(a, "{attacker}->{victim}/by-name/sidecar");
    assert.equal(a, b);
    assert.equal(templateNames("acme's client calls globex's echo", "acme", "globex"), "{attacker}'s client calls {victim}'s echo");
  });

  it("leaves a name alone inside a longer DNS label (a namespace, another tenant)", () => {
    assert.equal(templateNames("acme calls tenant-acme and acme-eu", "acme", "globex"), "{attacker} calls tenant-acme and acme-eu");
    assert.equal(templateNames("acme-eu->acme/x", "acme-eu", "acme"), "{attacker}->{victim}/x");
  });

  it("fills the placeholders back to the original text", () => {
    for (const [text, attacker, victim] of [
      ["acme-eu->acme/log-collector/path-spoof writes /logs/ingest/acme/probe", "acme-eu", "acme"],
      ["initech->initech/by-name/sidecar", "initech", "initech"],
      ["a->b/c", "a", "b"],
    ]) {
      assert.equal(fillNames(templateNames(text, attacker, victim), attacker, victim), text);
    }
  });

  it("keeps a text that already holds a placeholder literal (it could not be filled back unambiguously)", () => {
    assert.equal(templateNames("acme sent {victim}", "acme", "globex"), "acme sent {victim}");
  });
});
