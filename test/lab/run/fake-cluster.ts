// A scripted stand-in for kubectl in tests of the live check: answers `get pods`, each source
// pod's probe script (per the catalogue's intent, optionally overridden per probe id), `auth can-i`
// the admission dry runs (Pod Security, the tenant guardrails policy) and the tenant-admin attempts
// (each answered with the API server's wording for the mechanism it expects, or `admitAttempts`
// to let some through), and records every argv it was given.
import { stringify } from "yaml";
import type { PlatformSpec } from "../../../components/spec/types";
import { admissionAttempts, attemptArgv, type RefusalMechanism } from "../../../lab/check/attempts";
import { groupBySource } from "../../../lab/check/targets";
import type { CataloguedProbe } from "../../../lab/probes/types";
import type { CommandResult, CommandRunner } from "../../../lab/run/runner";

export type Answer = { rc: number; http: number; body: string; error?: string };
const ECHO = (ns: string): Answer => ({ rc: 0, http: 200, body: JSON.stringify({ server: "hard-tenancy-echo", tenant: ns, workload: "echo", pod: "echo-0" }) });
export const ANSWERS = {
  timeout: { rc: 28, http: 0, body: "", error: "Connection timed out after 5001 milliseconds" },
  rbac: { rc: 0, http: 403, body: "RBAC: access denied" },
} satisfies Record<string, Answer>;

/** What the API server says when it refuses a request by each mechanism (wording from real kube-apiserver 1.36 answers). */
export function refusalText(by: RefusalMechanism, user: string): string {
  switch (by) {
    case "rbac":
      return `Error from server (Forbidden): pods is forbidden: User "${user}" cannot create resource "pods" in API group "" in the namespace "x"`;
    case "pod-security":
      return 'Error from server (Forbidden): error when creating "STDIN": pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged';
    case "guardrail":
      return "Error from server (Forbidden): error when creating \"STDIN\": x is forbidden: ValidatingAdmissionPolicy 'hard-tenancy-tenant-guardrails' with binding 'hard-tenancy-tenant-guardrails' denied request: not allowed";
    case "resource-quota":
      return 'Error from server (Forbidden): error when creating "STDIN": pods "p" is forbidden: exceeded quota: tenant-quota, requested: requests.cpu=6, used: requests.cpu=0, limited: requests.cpu=4';
    case "limit-range":
      return 'Error from server (Forbidden): error when creating "STDIN": pods "p" is forbidden: maximum cpu usage per Container is 2, but limit is 3';
  }
}

export function fakeCluster(spec: PlatformSpec, catalogue: readonly CataloguedProbe[], overrides: Record<string, Answer> = {}, admitAttempts: readonly string[] = []): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const attempts = admissionAttempts(spec);
  const ipOf = new Map(spec.tenants.map((t, i) => [t.namespace, `10.244.${i + 1}.10`]));
  const pods = spec.tenants.flatMap((t) =>
    ["echo", "client", "debug", "bypass"].map((app) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `${app}-abc`, namespace: t.namespace, labels: { app } },
      spec: { serviceAccountName: app, automountServiceAccountToken: false, containers: [{ name: app }], volumes: [] },
      status: { phase: "Running", podIP: app === "echo" ? ipOf.get(t.namespace) : `10.244.9.${calls.length}`, conditions: [{ type: "Ready", status: "True" }] },
    })),
  );
  const batches = groupBySource(catalogue, () => undefined);
  const answerFor = (probe: CataloguedProbe): Answer =>
    overrides[probe.id] ?? (probe.intent === "allow" ? (probe.category === "dns" ? { rc: 52, http: 0, body: "" } : ECHO(probe.victim)) : probe.category === "shared-service-spoof" ? ANSWERS.rbac : ANSWERS.timeout);
  const run: CommandRunner = async (argv, options) => {
    const stdin = options?.stdin;
    calls.push([...argv]);
    const ok = (stdout: string, code = 0): CommandResult => ({ code, stdout, stderr: "" });
    if (argv.includes("current-context")) return ok("kind-hard-tenancy-lab\n");
    if (argv.includes("can-i")) {
      const own = argv[argv.indexOf("-n") + 1];
      const adminInOwn = argv.includes("--as-group") && !argv.some((a) => a.startsWith("system:")) && argv[argv.indexOf("--as") + 1] === `lab-admin@${own?.replace("tenant-", "")}`;
      const yes = adminInOwn && (argv.includes("deployments.apps") || argv.includes("pods")) && argv.includes("-n") && (argv[5] === "create" || argv[5] === "get");
      return yes ? ok("yes\n") : ok("no\n", 1);
    }
    if (argv.includes("get") && argv.includes("pods")) return ok(JSON.stringify({ apiVersion: "v1", kind: "List", items: pods }));
    if (argv.includes("get") && argv.includes("resourcequotas")) return ok(JSON.stringify({ items: spec.tenants.map((t) => ({ metadata: { name: "tenant-quota", namespace: t.namespace }, status: { hard: { pods: "50" } } })) }));
    if (argv.includes("delete") && argv.includes("--ignore-not-found")) return ok("deleted\n");
    const attempt = argv.includes("--as") && !argv.includes("can-i") ? attempts.find((a) => attemptArgv(a, argv[2]).join(" ") === argv.join(" ") && (a.manifest === undefined || stdin === stringify(a.manifest))) : undefined;
    if (attempt) {
      if (attempt.expect.outcome === "admitted" || admitAttempts.includes(attempt.id)) return ok(`${attempt.cleanup?.resource ?? "object"}/${attempt.cleanup?.name ?? "x"} created\n`);
      return { code: 1, stdout: "", stderr: `${refusalText(attempt.expect.by, attempt.identity.user)}\n` };
    }
    if (argv.includes("--dry-run=server")) {
      if (stdin?.includes("kind: Service")) {
        return { code: 1, stdout: "", stderr: `Error from server (Forbidden): error when creating "STDIN": services "ht-lab-externalip-probe" is forbidden: ValidatingAdmissionPolicy 'hard-tenancy-tenant-guardrails' with binding 'hard-tenancy-tenant-guardrails' denied request: Services in tenant namespaces must not set spec.externalIPs\n` };
      }
      return { code: 1, stdout: "", stderr: 'Error from server (Forbidden): error when creating "STDIN": pods "ht-lab-privileged-probe" is forbidden: violates PodSecurity "restricted:latest": privileged\n' };
    }
    if (argv.includes("exec")) {
      const source = `${argv[argv.indexOf("-n") + 1]}/${argv[argv.indexOf("-c") + 1]}`;
      const script = argv[argv.length - 1];
      const nonce = /@@ht-probe (\w+) \$i BEGIN@@/.exec(script)?.[1] ?? "";
      const batch = batches.find((b) => b.source === source);
      const out = (batch?.probes ?? []).map(({ probe }, i) => {
        const a = answerFor(probe);
        return `@@ht-probe ${nonce} ${i} BEGIN@@\nrc=${a.rc}\nht-w http=${String(a.http).padStart(3, "0")} exit=${a.rc} time=0.01 error=${a.error ?? ""}\n@@ht-probe ${nonce} ${i} BODY@@\n${a.body}\n@@ht-probe ${nonce} ${i} END@@\n`;
      });
      return ok(out.join(""));
    }
    return { code: 127, stdout: "", stderr: `unexpected command ${argv.join(" ")}` };
  };
  return { run, calls };
}
