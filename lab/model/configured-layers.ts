// Layers the configuration switches on but the manifests do not carry. `verify --manifests DIR`
// with a platform config evaluates DIR against the platform's intents: a switched-on layer with no
// object that applies to a tenant was not checked for that tenant at all (it is absent, not
// holding), so the verdict must say so and cannot pass.
import type { K8sObject } from "../../components/k8s/object";
import { NAMESPACE_NAME_LABEL } from "../../components/spec/labels";
import { ENFORCEMENT_LAYERS, type EnforcementLayer, type PlatformSpec } from "../../components/spec/types";
import { CALICO_NAME } from "./layers/calico/labels";
import { isCalicoObject } from "./layers/calico/policy";
import { matchesCalicoSelector, parseCalicoSelector } from "./layers/calico/selector";
import { matchesLabelSelector, parseLabelSelector } from "./selectors";

export interface MissingLayer {
  layer: EnforcementLayer;
  /** Tenants no object of the layer applies to. */
  tenants: string[];
}

type Json = Record<string, unknown>;

function record(v: unknown): Json {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

/** Namespace labels as the API server sets them (plus the name label), from the objects. */
function namespaceLabels(objects: K8sObject[], name: string): Record<string, string> {
  const ns = objects.find((o) => o.kind === "Namespace" && o.metadata.name === name);
  return { ...(ns?.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
}

/** A selector that cannot be read covers nothing (the layer reports it as a warning of its own). */
function safely(test: () => boolean): boolean {
  try {
    return test();
  } catch {
    return false;
  }
}

/** Does `o`, an object of `layer`, apply to workloads in namespace `ns`? Cluster-scoped kinds: by their namespace selectors. */
function appliesTo(layer: EnforcementLayer, o: K8sObject, ns: string, labels: Record<string, string>, rootNamespace: string): boolean {
  const spec = record(o.spec);
  switch (layer) {
    case "networkPolicy":
      return o.apiVersion === "networking.k8s.io/v1" && o.kind === "NetworkPolicy" && (o.metadata.namespace ?? "default") === ns;
    case "calico": {
      if (!isCalicoObject(o)) return false;
      if (o.kind === "NetworkPolicy") return (o.metadata.namespace ?? "default") === ns;
      if (o.kind !== "GlobalNetworkPolicy") return false;
      const text = typeof spec.namespaceSelector === "string" ? spec.namespaceSelector.trim() : "";
      return text === "" || safely(() => matchesCalicoSelector(parseCalicoSelector(text), { ...labels, [CALICO_NAME]: ns }));
    }
    case "clusterNetworkPolicy": {
      if (o.apiVersion !== "policy.networking.k8s.io/v1alpha2" && o.apiVersion !== "policy.networking.k8s.io/v1alpha1") return false;
      if (!["ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"].includes(o.kind)) return false;
      const subject = record(spec.subject);
      const selector = subject.namespaces ?? record(subject.pods).namespaceSelector;
      return selector !== undefined && safely(() => matchesLabelSelector(parseLabelSelector(selector, "subject"), labels));
    }
    case "peerAuthentication":
    case "authorization": {
      const kind = layer === "peerAuthentication" ? "PeerAuthentication" : "AuthorizationPolicy";
      const namespace = o.metadata.namespace ?? "default";
      return o.apiVersion.startsWith("security.istio.io/") && o.kind === kind && (namespace === ns || namespace === rootNamespace);
    }
  }
}

/** Every enforcement layer `spec.layers` switches on that has no object applying to one or more tenants. */
export function missingLayers(spec: PlatformSpec, objects: K8sObject[]): MissingLayer[] {
  const out: MissingLayer[] = [];
  for (const layer of ENFORCEMENT_LAYERS) {
    if (!spec.layers[layer]) continue;
    const tenants = spec.tenants
      .filter((t) => {
        const labels = namespaceLabels(objects, t.namespace);
        return !objects.some((o) => appliesTo(layer, o, t.namespace, labels, spec.meshNamespace));
      })
      .map((t) => t.name);
    if (tenants.length > 0) out.push({ layer, tenants });
  }
  return out;
}
