import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { judgeProbe, judgeRun, type ControlPlaneOutcome } from "../../../lab/check/compare";
import type { PlannedProbe } from "../../../lab/check/targets";
import { renderJunit, xmlEscape } from "../../../lab/report/junit";
import { buildReport, reportDirName } from "../../../lab/report/report";
import { renderTable } from "../../../lab/report/table";
import { writeReport } from "../../../lab/report/write";

function planned(id: string, intent: "allow" | "deny"): PlannedProbe {
  return {
    probe: { id, from: "tenant-a/client", to: { service: "tenant-b/echo", port: 80 }, protocol: "HTTP", client: "sidecar", intent, category: "cross-tenant", attacker: "a", victim: "b", description: "d" },
    method: "http",
    request: { url: "http://echo.tenant-b.svc.cluster.local:80/", method: "GET", headers: {} },
  };
}

function sampleReport(predictionStandIns?: string[]) {
  const blocked = judgeProbe(planned("a->b/by-name/sidecar", "deny"), { index: 0, exitCode: 0, httpCode: 403, writeOutExitCode: 0, errorMessage: "", timeSeconds: 0.01, body: "RBAC: access denied", reported: true }, { id: "x", verdict: "deny", layers: { authorization: "deny" }, observation: "http 403 RBAC: access denied" });
  const breach = judgeProbe(planned("a->b/<&\"'>", "deny"), { index: 1, exitCode: 0, httpCode: 200, writeOutExitCode: 0, errorMessage: "", timeSeconds: 0.01, body: JSON.stringify({ server: "hard-tenancy-echo", tenant: "b", workload: "echo", pod: "p" }), reported: true }, undefined);
  const cp: ControlPlaneOutcome = { id: "a admin: get secrets -n tenant-b", kind: "can-i", description: "a admin cannot read secrets in tenant-b", expected: "no", observed: "no", status: "pass" };
  const verdict = judgeRun([blocked, breach], [cp]);
  return buildReport({ command: "check", context: "kind-hard-tenancy-lab", startedAt: new Date("2026-11-25T10:00:00.123Z"), finishedAt: new Date("2026-11-25T10:00:09Z"), predictionStandIns }, [blocked, breach], [cp], verdict);
}

describe("lab check reports", () => {
  it("summarises the run in report.json terms: outcome, exit code, counts, and each probe's observed and predicted result", () => {
    const report = sampleReport();
    assert.deepEqual([report.outcome, report.exitCode], ["fail", 1]);
    assert.deepEqual(report.summary, { probes: 2, passed: 1, breaches: 1, controlsFailed: 0, unknown: 0, observationMismatches: 0, controlPlane: 1, controlPlanePassed: 1 });
    assert.deepEqual(report.probes[0].blockingLayers, ["authorization"]);
    assert.equal(report.probes[0].predicted?.observation, "http 403 RBAC: access denied");
  });

  it("announces the workloads the predictions stood in for in report.json, the table and JUnit", () => {
    const plain = sampleReport();
    assert.deepEqual(plain.predictionStandIns, []);
    assert.doesNotMatch(renderJunit(plain), /prediction-stand-ins/);
    assert.doesNotMatch(renderTable(plain), /STAND-INS/);
    const stood = sampleReport(["tenant-a/client", "tenant-b/echo"]);
    assert.deepEqual(stood.predictionStandIns, ["tenant-a/client", "tenant-b/echo"]);
    assert.match(renderJunit(stood), /<property name="prediction-stand-ins" value="tenant-a\/client, tenant-b\/echo"\/>/);
    assert.match(renderTable(stood), /STAND-INS: the model's predictions used stand-ins for 2 workload\(s\): tenant-a\/client, tenant-b\/echo/);
  });

  it("writes JUnit XML with one failure per breach, escaped names, and counts that add up", () => {
    const xml = renderJunit(sampleReport());
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.match(xml, /<testsuite name="probes" tests="2" failures="1" errors="0" skipped="0">/);
    assert.match(xml, /<testsuite name="control-plane" tests="1" failures="0"/);
    assert.match(xml, /name="a-&gt;b\/&lt;&amp;&quot;&apos;&gt; \(intent deny\)"/);
    assert.equal((xml.match(/<failure /g) ?? []).length, 1);
    assert.equal((xml.match(/<testcase /g) ?? []).length, (xml.match(/<\/testcase>/g) ?? []).length);
    assert.equal(xmlEscape("a\u0001b"), "a?b");
  });

  it("prints a table row per probe with intent, observation, layer and status, then the verdict", () => {
    const table = renderTable(sampleReport());
    const lines = table.split("\n");
    assert.match(lines[0], /^probe\s+intent\s+observed\s+layer\(s\)\s+predicted\s+status$/);
    assert.match(table, /a->b\/by-name\/sidecar\s+deny\s+http 403 RBAC: access denied\s+authorization\s+http 403 RBAC: access denied\s+ok/);
    assert.match(table, /BREACH/);
    assert.match(table, /FAIL \(exit 1\): 1\/2 probes as intended, 1 breach\(es\)/);
  });

  it("writes report.json and junit.xml under .lab/reports/<timestamp>/", () => {
    const dir = mkdtempSync(join(tmpdir(), "ht-report-"));
    try {
      const report = sampleReport();
      const written = writeReport(dir, report, new Date(report.startedAt));
      assert.equal(written.dir, join(dir, reportDirName(new Date("2026-11-25T10:00:00.123Z"))));
      assert.equal(reportDirName(new Date("2026-11-25T10:00:00.123Z")), "2026-11-25T10-00-00-123Z");
      assert.deepEqual(JSON.parse(readFileSync(written.json, "utf8")), report);
      assert.equal(readFileSync(written.junit, "utf8"), renderJunit(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
