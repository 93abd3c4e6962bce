// A run without a mesh (the local backend) says so in every report format: report.json, the
// terminal table, JUnit and the HTML page; probes that need the mesh are listed as not run, and
// attacks only the mesh stops are counted on their own.
import assert from "node:assert/strict";
import { judgeProbe, judgeRun, skippedProbe } from "../../../lab/check/compare";
import type { RawObservation } from "../../../lab/check/script";
import { probeMethod, requestFor, type PlannedProbe } from "../../../lab/check/targets";
import { MESH_LAYERS, NO_MESH_REASON } from "../../../lab/model/mesh";
import { predictL34Catalogue, verifyPlatform } from "../../../lab/model/platform";
import type { CataloguedProbe } from "../../../lab/probes/types";
import { renderReportHtml } from "../../../lab/report/html/render";
import { renderJunit } from "../../../lab/report/junit";
import { buildReport } from "../../../lab/report/report";
import { renderTable } from "../../../lab/report/table";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { labSpec } from "../workloads/lab-spec";

const ECHO = JSON.stringify({ server: "hard-tenancy-echo", tenant: "acme", workload: "echo", pod: "echo-1" });
const raw = (exitCode: number, httpCode = 0, body = ""): RawObservation => ({ index: 0, exitCode, httpCode, writeOutExitCode: exitCode, errorMessage: "", timeSeconds: 0.01, body, reported: true });
/** What a client sees when the cluster does what the model predicts. */
const AS_PREDICTED: Record<string, RawObservation> = { "curl exit 28": raw(28), "http 200": raw(0, 200, ECHO), connected: raw(52), "dns ok": raw(7) };
const plannedOf = (probe: CataloguedProbe): PlannedProbe => ({ probe, method: probeMethod(probe), request: requestFor(probe, () => "10.244.0.9") });

describe("lab check reports without a mesh", () => {
  const spec = labSpec();
  const { predictions, notRun } = predictL34Catalogue(spec, { endpoints: labProbeEndpoints });
  const observed = predictions.map(({ probe, result }) => {
    const seen = AS_PREDICTED[result.observation];
    assert.ok(seen, `no fake observation for ${result.observation}`);
    return judgeProbe(plannedOf(probe), seen, result, { mesh: "absent" });
  });
  const skipped = notRun.map((n) => skippedProbe(plannedOf(n.probe), n.reason));
  const probes = [...observed, ...skipped];
  const meshAbsent = { reason: NO_MESH_REASON, layers: [...MESH_LAYERS] };
  const verdict = judgeRun(probes, []);
  const report = buildReport({ command: "check --backend local", context: "hard-tenancy-local", startedAt: new Date("2026-12-01T00:00:00Z"), finishedAt: new Date("2026-12-01T00:01:00Z"), meshAbsent }, probes, [], verdict);

  it("passes a run that observes exactly what the model without a mesh predicts, naming the attack only the mesh stops", () => {
    assert.equal(report.outcome, "pass");
    assert.deepEqual(observed.filter((o) => o.status === "mesh-only").map((o) => o.probe.id), ["globex->acme/pod-direct/no-sidecar"]);
    assert.ok(observed.every((o) => o.status === "pass" || o.status === "mesh-only"));
    assert.ok(report.reasons.some((r) => r.includes("stopped only by the mesh (absent here)") && r.includes("globex->acme/pod-direct/no-sidecar")));
  });

  it("says in report.json that the mesh was absent, counts mesh-only, mismatches and probes not run, and keeps each prediction's absent layers", () => {
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    assert.deepEqual(json.meshAbsent, { reason: "no mesh on this backend", layers: ["peerAuthentication", "authorization"] });
    assert.deepEqual([json.summary.meshOnly, json.summary.mismatches, json.summary.skipped], [1, 0, notRun.length]);
    const run = json.probes.find((p) => p.id === "acme->globex/by-name/no-sidecar");
    assert.deepEqual(run?.predicted?.absentLayers, { peerAuthentication: "no mesh on this backend", authorization: "no mesh on this backend" });
    const needsMesh = json.probes.find((p) => p.id === "acme->globex/log-collector/path-spoof");
    assert.equal(needsMesh?.status, "skipped");
    assert.match(needsMesh?.observed.reason ?? "", /^needs the mesh \(not on this backend\): /);
  });

  it("leaves the mesh out of a report of a cluster that has one", () => {
    const withMesh = buildReport({ command: "check", context: "kind", startedAt: new Date(0), finishedAt: new Date(0) }, observed.slice(0, 1), [], judgeRun(observed.slice(0, 1), []));
    assert.equal("meshAbsent" in withMesh, false);
    assert.equal("meshOnly" in withMesh.summary, false);
    assert.doesNotMatch(renderTable(withMesh), /MESH/);
  });

  it("opens the terminal table with the mesh-absent sentence and marks each status", () => {
    const table = renderTable(report);
    assert.match(table.split("\n")[0], /^MESH ABSENT \(no mesh on this backend\): peerAuthentication and authorization are not present; every probe was sent sidecar-free/);
    assert.match(table, /globex->acme\/pod-direct\/no-sidecar\s+deny\s+http 200.*MESH ONLY/);
    assert.match(table, /acme->globex\/log-collector\/path-spoof\s+deny\s+not run.*skipped/);
    assert.match(table, /PASS \(exit 0\): .*, 1 stopped only by the mesh \(absent here\), 0 observed ≠ predicted, \d+ not run \(need the mesh\)/);
  });

  it("names the mesh's absence in JUnit, reports mesh-only and not-run probes as skipped with why, and a mismatch as a failure", () => {
    const xml = renderJunit(report);
    assert.match(xml, /<testsuites name="hard-tenancy lab check --backend local \(mesh absent: no mesh on this backend\)">/);
    assert.match(xml, /<property name="mesh-absent" value="MESH ABSENT \(no mesh on this backend\): /);
    assert.match(xml, /<skipped message="stopped only by the mesh \(absent here\): observed http 200 \(allow\), intent deny, predicted http 200 \(allow\)"\/>/);
    assert.match(xml, /<skipped message="not run: needs the mesh \(not on this backend\): /);
    assert.match(xml, new RegExp(`<testsuite name="probes" tests="${probes.length}" failures="0" errors="0" skipped="${notRun.length + 1}">`));
    const first = observed[0];
    const mismatch = judgeProbe(plannedOf(first.probe), raw(0, 200, ECHO), { ...first.prediction!, verdict: "deny", observation: "curl exit 28" }, { mesh: "absent" });
    const disagreeing = buildReport({ command: "check --backend local", context: "c", startedAt: new Date(0), finishedAt: new Date(0), meshAbsent }, [mismatch], [], judgeRun([mismatch], []));
    assert.equal(first.probe.intent, "allow");
    assert.equal(mismatch.status, "mismatch");
    assert.match(renderJunit(disagreeing), /<failure message="observed ≠ predicted: observed http 200 \(allow\), intent allow, predicted curl exit 28 \(deny\)" type="mismatch">/);
  });

  it("states the mesh's absence in the HTML page, with its counts, from the run and from a verdict without a mesh", () => {
    const noMeshVerdict = verifyPlatform(spec, { endpoints: labProbeEndpoints, mesh: "absent" });
    const html = renderReportHtml({ verdict: noMeshVerdict, title: "lab check --backend local", generatedAt: report.finishedAt, observed: report });
    assert.match(html, /<p class="notice" id="mesh-absent">MESH ABSENT \(no mesh on this backend\): /);
    assert.match(html, /<dt>mesh<\/dt><dd>absent: peerAuthentication and authorization not present<\/dd>/);
    assert.match(html, /<dt>attacks stopped only by the mesh \(absent here\), seen as predicted<\/dt><dd>1<\/dd>/);
    assert.match(html, new RegExp(`<dt>probes not run \\(need the mesh\\)</dt><dd>${notRun.length}</dd>`));
    assert.match(html, new RegExp(`<h2>Probes not run \\(${notRun.length}\\)</h2>`));
    assert.match(html, /<tr><td class="mono">acme-&gt;globex\/log-collector\/path-spoof<\/td><td>tenant-acme\/client<\/td><td>needs the mesh \(not on this backend\): /);
    assert.doesNotMatch(html, /Observations without a predicted probe/, "probes not run are not observations");
    const offline = renderReportHtml({ verdict: noMeshVerdict, title: "model without a mesh", generatedAt: report.finishedAt });
    assert.match(offline, /<p class="notice" id="mesh-absent">MESH ABSENT \(no mesh on this backend\): peerAuthentication and authorization are not present, so no sidecar/);
  });
});
