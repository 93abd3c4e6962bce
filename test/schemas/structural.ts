// Structural checks for kinds that have no model package: Calico (projectcalico.org/v3 Tier and
// GlobalNetworkPolicy) and the upstream ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2).
// Field lists come from the upstream definitions: Calico's Tier / GlobalNetworkPolicy reference
// (docs.tigera.io, "Resource definitions") and kubernetes-sigs/network-policy-api
// apis/v1alpha2/clusternetworkpolicy_types.go. Unknown fields are errors, as the API server's
// structural schemas would prune or reject them.

type Json = unknown;
type Report = (path: string, message: string) => void;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function onlyKeys(value: Json, allowed: string[], path: string, report: Report): value is Record<string, Json> {
  if (!isObject(value)) {
    report(path, "must be an object");
    return false;
  }
  for (const key of Object.keys(value)) if (!allowed.includes(key)) report(`${path}.${key}`, `unknown field (allowed: ${allowed.join(", ")})`);
  return true;
}

function oneOf(value: Json, allowed: readonly string[], path: string, report: Report): void {
  if (typeof value !== "string" || !allowed.includes(value)) report(path, `must be one of ${allowed.join("|")}, got ${JSON.stringify(value)}`);
}

function stringValue(value: Json, path: string, report: Report): void {
  if (typeof value !== "string" || value.length === 0) report(path, "must be a non-empty string");
}

function port(value: Json, path: string, report: Report): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 1 || value > 65535) report(path, `port must be 1-65535, got ${value}`);
  } else if (typeof value !== "string" || value.length === 0) report(path, "port must be a number, range \"a:b\" or name");
}

function array(value: Json, path: string, report: Report, max = Infinity, min = 0): Json[] {
  if (!Array.isArray(value)) {
    report(path, "must be an array");
    return [];
  }
  if (value.length < min) report(path, `must have at least ${min} item(s)`);
  if (value.length > max) report(path, `must have at most ${max} items, has ${value.length}`);
  return value;
}

/** Calico selector expressions: a cheap balance check (quotes and parentheses). */
function calicoSelector(value: Json, path: string, report: Report): void {
  if (typeof value !== "string") return report(path, "selector must be a string");
  let depth = 0;
  let quote: string | undefined;
  for (const ch of value) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth += 1;
    else if (ch === ")") depth -= 1;
    if (depth < 0) return report(path, `unbalanced parentheses in ${JSON.stringify(value)}`);
  }
  if (quote || depth !== 0) report(path, `unbalanced quotes/parentheses in ${JSON.stringify(value)}`);
  if (/\$\{/.test(value)) report(path, `templating is not supported by Calico: ${JSON.stringify(value)}`);
}

const CALICO_ENTITY = ["nets", "notNets", "selector", "notSelector", "namespaceSelector", "ports", "notPorts", "serviceAccounts", "services"];
const CALICO_RULE = ["action", "protocol", "notProtocol", "icmp", "notICMP", "ipVersion", "source", "destination", "http", "metadata"];
const CALICO_GNP_SPEC = [
  "tier", "order", "selector", "namespaceSelector", "serviceAccountSelector", "types", "ingress", "egress",
  "doNotTrack", "preDNAT", "applyOnForward", "performanceHints",
];

function calicoEntity(value: Json, path: string, report: Report): void {
  if (!onlyKeys(value, CALICO_ENTITY, path, report)) return;
  for (const key of ["selector", "notSelector", "namespaceSelector"]) if (key in value) calicoSelector(value[key], `${path}.${key}`, report);
  for (const key of ["ports", "notPorts"]) if (key in value) array(value[key], `${path}.${key}`, report).forEach((p, i) => port(p, `${path}.${key}[${i}]`, report));
}

function calicoRule(value: Json, path: string, report: Report): void {
  if (!onlyKeys(value, CALICO_RULE, path, report)) return;
  oneOf(value.action, ["Allow", "Deny", "Log", "Pass"], `${path}.action`, report);
  if ("protocol" in value) oneOf(value.protocol, ["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite"], `${path}.protocol`, report);
  if ("source" in value) calicoEntity(value.source, `${path}.source`, report);
  if ("destination" in value) calicoEntity(value.destination, `${path}.destination`, report);
  const hasPorts = [value.source, value.destination].some((e) => isObject(e) && ("ports" in e || "notPorts" in e));
  if (hasPorts && !("protocol" in value)) report(path, "ports need a protocol (TCP, UDP or SCTP)");
}

export function checkCalicoTier(spec: Json, report: Report): void {
  if (!onlyKeys(spec, ["order", "defaultAction"], "spec", report)) return;
  if ("order" in spec && typeof spec.order !== "number") report("spec.order", "must be a number");
  if ("defaultAction" in spec) oneOf(spec.defaultAction, ["Deny", "Pass"], "spec.defaultAction", report);
}

export function checkCalicoGlobalNetworkPolicy(name: string, spec: Json, report: Report): void {
  if (!onlyKeys(spec, CALICO_GNP_SPEC, "spec", report)) return;
  const tier = typeof spec.tier === "string" ? spec.tier : "default";
  if (tier !== "default" && !name.startsWith(`${tier}.`)) report("metadata.name", `a policy in tier ${tier} is named "${tier}.<name>" (Calico < 3.32)`);
  if ("order" in spec && typeof spec.order !== "number") report("spec.order", "must be a number");
  for (const key of ["selector", "namespaceSelector", "serviceAccountSelector"]) if (key in spec) calicoSelector(spec[key], `spec.${key}`, report);
  if ("types" in spec) array(spec.types, "spec.types", report).forEach((t, i) => oneOf(t, ["Ingress", "Egress"], `spec.types[${i}]`, report));
  for (const dir of ["ingress", "egress"]) if (dir in spec) array(spec[dir], `spec.${dir}`, report).forEach((r, i) => calicoRule(r, `spec.${dir}[${i}]`, report));
}

function labelSelector(value: Json, path: string, report: Report): void {
  if (!onlyKeys(value, ["matchLabels", "matchExpressions"], path, report)) return;
  if ("matchLabels" in value) {
    if (!isObject(value.matchLabels)) report(`${path}.matchLabels`, "must be a map");
    else for (const [k, v] of Object.entries(value.matchLabels)) if (typeof v !== "string") report(`${path}.matchLabels.${k}`, "must be a string");
  }
  if ("matchExpressions" in value) {
    array(value.matchExpressions, `${path}.matchExpressions`, report).forEach((e, i) => {
      const p = `${path}.matchExpressions[${i}]`;
      if (!onlyKeys(e, ["key", "operator", "values"], p, report)) return;
      stringValue(e.key, `${p}.key`, report);
      oneOf(e.operator, ["In", "NotIn", "Exists", "DoesNotExist"], `${p}.operator`, report);
      const needsValues = e.operator === "In" || e.operator === "NotIn";
      const values = "values" in e ? array(e.values, `${p}.values`, report) : [];
      if (needsValues && values.length === 0) report(`${p}.values`, "In/NotIn need at least one value");
      if (!needsValues && values.length > 0) report(`${p}.values`, "Exists/DoesNotExist take no values");
    });
  }
}

function exactlyOne(value: Json, allowed: string[], path: string, report: Report): value is Record<string, Json> {
  if (!onlyKeys(value, allowed, path, report)) return false;
  if (Object.keys(value).length !== 1) report(path, `exactly one of ${allowed.join(", ")} must be set`);
  return true;
}

function cnpPeer(value: Json, allowed: string[], path: string, report: Report): void {
  if (!exactlyOne(value, allowed, path, report)) return;
  if ("namespaces" in value) labelSelector(value.namespaces, `${path}.namespaces`, report);
  if ("nodes" in value) labelSelector(value.nodes, `${path}.nodes`, report);
  if ("pods" in value && onlyKeys(value.pods, ["namespaceSelector", "podSelector"], `${path}.pods`, report)) {
    if ("namespaceSelector" in value.pods) labelSelector(value.pods.namespaceSelector, `${path}.pods.namespaceSelector`, report);
    if (!("podSelector" in value.pods)) report(`${path}.pods.podSelector`, "is required");
    else labelSelector(value.pods.podSelector, `${path}.pods.podSelector`, report);
  }
  if ("networks" in value) array(value.networks, `${path}.networks`, report, 25, 1);
}

function cnpProtocols(value: Json, path: string, report: Report): void {
  array(value, path, report, 25, 1).forEach((p, i) => {
    const pp = `${path}[${i}]`;
    if (!exactlyOne(p, ["tcp", "udp", "sctp", "destinationNamedPort"], pp, report)) return;
    for (const proto of ["tcp", "udp", "sctp"]) {
      if (!(proto in p)) continue;
      const body = p[proto];
      if (!onlyKeys(body, ["destinationPort"], `${pp}.${proto}`, report)) continue;
      const dp = body.destinationPort;
      if (!exactlyOne(dp, ["number", "range"], `${pp}.${proto}.destinationPort`, report)) continue;
      if ("number" in dp) port(dp.number, `${pp}.${proto}.destinationPort.number`, report);
    }
  });
}

function cnpRule(value: Json, direction: "ingress" | "egress", path: string, report: Report): void {
  const peersKey = direction === "ingress" ? "from" : "to";
  if (!onlyKeys(value, ["name", "action", peersKey, "protocols"], path, report)) return;
  if ("name" in value && (typeof value.name !== "string" || value.name.length > 100)) report(`${path}.name`, "must be a string of at most 100 characters");
  oneOf(value.action, ["Accept", "Deny", "Pass"], `${path}.action`, report);
  const peerKinds = direction === "ingress" ? ["namespaces", "pods"] : ["namespaces", "pods", "nodes", "networks", "domainNames"];
  array(value[peersKey], `${path}.${peersKey}`, report, 25, 1).forEach((p, i) => cnpPeer(p, peerKinds, `${path}.${peersKey}[${i}]`, report));
  if ("protocols" in value) cnpProtocols(value.protocols, `${path}.protocols`, report);
}

export function checkClusterNetworkPolicy(spec: Json, report: Report): void {
  if (!onlyKeys(spec, ["tier", "priority", "subject", "ingress", "egress"], "spec", report)) return;
  oneOf(spec.tier, ["Admin", "Baseline"], "spec.tier", report);
  if (typeof spec.priority !== "number" || !Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority > 1000) {
    report("spec.priority", "must be an integer 0-1000");
  }
  if (!("subject" in spec)) report("spec.subject", "is required");
  else cnpPeer(spec.subject, ["namespaces", "pods"], "spec.subject", report);
  for (const dir of ["ingress", "egress"] as const) {
    if (dir in spec) array(spec[dir], `spec.${dir}`, report, 25).forEach((r, i) => cnpRule(r, dir, `spec.${dir}[${i}]`, report));
  }
}
