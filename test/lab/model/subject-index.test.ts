import assert from "node:assert/strict";
import { parseCalicoSelector } from "../../../lab/model/layers/calico/selector";
import { parseLabelSelector } from "../../../lab/model/selectors";
import { calicoSelectorKey, labelSelectorKey, subjectIndex, type IndexedSubject } from "../../../lab/model/subject-index";
import type { Workload } from "../../../lab/model/types";

const workload = (namespace: string, podLabels: Record<string, string>): Workload => ({ namespace, name: "w", kind: "Pod", podLabels, serviceAccount: "default", ports: [], podIPs: [], sidecar: false });
const nsLabels: Record<string, Record<string, string>> = { a: { team: "red" }, b: { team: "blue" } };
const labels = { namespace: (w: Workload) => nsLabels[w.namespace] ?? {}, pod: (w: Workload) => w.podLabels };

describe("subject index", () => {
  it("finds indexed and unindexable subjects alike, re-checks them in full and keeps their order", () => {
    const subjects: IndexedSubject<string>[] = [
      { item: "scan-all", matches: () => true },
      { item: "red-ns", key: { on: "namespace", key: "team", values: ["red"] }, matches: (w) => nsLabels[w.namespace]?.team === "red" },
      { item: "red-or-blue-db", key: { on: "namespace", key: "team", values: ["red", "blue"] }, matches: (w) => w.podLabels.app === "db" },
      { item: "web-pods", key: { on: "pod", key: "app", values: ["web"] }, matches: (w) => w.podLabels.app === "web" },
    ];
    const index = subjectIndex(subjects, labels);
    assert.deepEqual(index.subjectsOf(workload("a", { app: "web" })), ["scan-all", "red-ns", "web-pods"]);
    assert.deepEqual(index.subjectsOf(workload("b", { app: "db" })), ["scan-all", "red-or-blue-db"]);
    assert.deepEqual(index.subjectsOf(workload("c", { app: "db" })), ["scan-all"]);
  });

  it("takes an equality key from matchLabels or an In expression, and none from NotIn or Exists", () => {
    assert.deepEqual(labelSelectorKey(parseLabelSelector({ matchLabels: { team: "red" } }, "s")), { key: "team", values: ["red"] });
    assert.deepEqual(labelSelectorKey(parseLabelSelector({ matchExpressions: [{ key: "team", operator: "In", values: ["a", "b"] }] }, "s")), { key: "team", values: ["a", "b"] });
    assert.equal(labelSelectorKey(parseLabelSelector({ matchExpressions: [{ key: "team", operator: "NotIn", values: ["a"] }, { key: "x", operator: "Exists" }] }, "s")), undefined);
  });

  it("takes a Calico key from == or in, also inside a top-level &&, but not under || or !", () => {
    assert.deepEqual(calicoSelectorKey(parseCalicoSelector("has(x) && team == 'red'")), { key: "team", values: ["red"] });
    assert.deepEqual(calicoSelectorKey(parseCalicoSelector("team in {'a', 'b'}")), { key: "team", values: ["a", "b"] });
    assert.equal(calicoSelectorKey(parseCalicoSelector("team == 'a' || team == 'b'")), undefined);
    assert.equal(calicoSelectorKey(parseCalicoSelector("!(team == 'a')")), undefined);
  });
});
