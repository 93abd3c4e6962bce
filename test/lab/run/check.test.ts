import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { EXIT_CODES } from "../../../lab/check/compare";
import { predictCatalogue, verifyPlatform } from "../../../lab/model/platform";
import { labSettings } from "../../../lab/plan/settings";
import type { CheckReport } from "../../../lab/report/report";
import { runLiveCheck } from "../../../lab/run/check";
import type { LabIO } from "../../../lab/run/execute";
import { PROBE_SOURCES } from "../../../lab/workloads/names";
import { syntheticConfig } from "../../fixtures/platform";
import { ANSWERS, fakeCluster, type Answer } from "./fake-cluster";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

describe("lab check run against a scripted cluster", () => {
  const spec = validatePlatformConfig(syntheticConfig(3));
  const predictions = predictCatalogue(spec, { endpoints: labProbeEndpoints });
  const catalogue = predictions.map((p) => p.probe);
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), "ht-check-"))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function check(overrides: Record<string, Answer> = {}): Promise<{ exitCode: number; report: CheckReport; calls: string[][]; dir: string; log: string }> {
    const cluster = fakeCluster(spec, catalogue, overrides);
    const lines: string[] = [];
    const io: LabIO = { run: cluster.run, automation: async () => assert.fail("no Pulumi in a check"), log: (l) => lines.push(l), sleep: async () => undefined, now: () => new Date("2026-11-25T10:00:00Z") };
    const result = await runLiveCheck(io, { spec, settings: labSettings(root), predictions, command: "check" });
    return { exitCode: result.exitCode, report: result.report, calls: cluster.calls, dir: result.reportDir, log: lines.join("\n") };
  }

  it("passes when every probe behaves as intended, with one exec per source pod and reports on disk", async () => {
    const { exitCode, report, calls, dir, log } = await check();
    assert.equal(exitCode, EXIT_CODES.pass, report.reasons.join("; "));
    assert.equal(calls.filter((c) => c.includes("exec")).length, spec.tenants.length * PROBE_SOURCES.length);
    assert.ok(calls.every((c) => c[0] !== "kubectl" || c.includes("current-context") || (c[1] === "--context" && c[2] === "kind-hard-tenancy-lab")));
    assert.equal(report.summary.probes, catalogue.length);
    assert.equal(dir, join(root, ".lab", "reports", "2026-11-25T10-00-00-000Z"));
    const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as CheckReport;
    assert.equal(json.outcome, "pass");
    assert.ok(existsSync(join(dir, "junit.xml")));
    assert.match(log, /PASS \(exit 0\)/);
  });

  it("writes report.html next to report.json and junit.xml when given the model's verdict: observed vs predicted", async () => {
    const cluster = fakeCluster(spec, catalogue);
    const io: LabIO = { run: cluster.run, automation: async () => assert.fail("no Pulumi in a check"), log: () => undefined, sleep: async () => undefined, now: () => new Date("2026-11-25T10:00:00Z") };
    const result = await runLiveCheck(io, { spec, settings: labSettings(root), predictions, verdict: verifyPlatform(spec, { endpoints: labProbeEndpoints }), command: "check" });
    const html = readFileSync(join(result.reportDir, "report.html"), "utf8");
    assert.match(html, /<body data-mode="live"/);
    assert.match(html, /live lab check: observed vs predicted/);
    assert.match(html, /<dt>observed probes as intended<\/dt><dd>\d+\/\d+<\/dd>/);
  });

  it("pod-IP probes are sent to the IP the pod list gave", async () => {
    const { calls } = await check();
    const scripts = calls.filter((c) => c.includes("exec")).map((c) => c[c.length - 1]).join("\n");
    assert.match(scripts, /http:\/\/10\.244\.2\.10:8080\//);
    assert.doesNotMatch(scripts, /<pod-ip:/);
  });

  it("fails (exit 1) when an attack gets the victim's echo answer", async () => {
    const attack = catalogue.find((p) => p.id === "t0001->t0003/by-name/no-sidecar")!;
    const { exitCode, report } = await check({ [attack.id]: { rc: 0, http: 200, body: JSON.stringify({ server: "hard-tenancy-echo", tenant: "t0003", workload: "echo", pod: "e" }) } });
    assert.equal(exitCode, EXIT_CODES.fail);
    assert.equal(report.probes.find((p) => p.id === attack.id)?.status, "breach");
  });

  it("is inconclusive (exit 3), not a pass, when a same-tenant control is blocked", async () => {
    const control = catalogue.find((p) => p.category === "same-tenant")!;
    const { exitCode, report } = await check({ [control.id]: ANSWERS.timeout });
    assert.equal(exitCode, EXIT_CODES.inconclusive);
    assert.equal(report.outcome, "inconclusive");
  });
});
