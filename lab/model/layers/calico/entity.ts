// Calico rule entities (source / destination): selector, notSelector, namespaceSelector,
// serviceAccounts, nets / notNets, ports / notPorts. All criteria present must match.
//
// Scope of selectors (Calico NetworkPolicy reference and libcalico-go's rule conversion): in a
// namespaced NetworkPolicy without namespaceSelector, selector/notSelector/serviceAccounts only
// consider endpoints in the policy's namespace; in a GlobalNetworkPolicy they consider every
// namespace. With a namespaceSelector, endpoints in matching namespaces (`global()` matches no
// namespace, only non-namespaced resources). notSelector is a negative match, so an address that
// is no endpoint at all (an external IP) satisfies it, while any positive selector needs a pod.
import { cidrContains, type ParsedCidr as Cidr } from "../../../../components/spec/cidr";
import { isWholeFamily, parsePolicyCidr } from "../peers";
import { ALL_IDS, andIds, complementIds, onlyIds, orIds, NO_IDS, type IdSet } from "../../idset";
import { endpointIps, type ModelIndex } from "../../model-index";
import type { Endpoint, Workload } from "../../types";
import type { PeerMatcher } from "../engine";
import type { CalicoLabels } from "./labels";
import { checkGlobalPlacement, matchesCalicoSelector, parseCalicoSelector, selectCalicoIds, type CalicoSelector } from "./selector";

type Json = Record<string, unknown>;

export interface EntityRule {
  selector?: CalicoSelector;
  notSelector?: CalicoSelector;
  namespaceSelector?: CalicoSelector;
  serviceAccountNames?: string[];
  serviceAccountSelector?: CalicoSelector;
  nets: Cidr[];
  notNets: Cidr[];
  /** Set when the policy is namespaced and no namespaceSelector widens the scope. */
  ownNamespace?: string;
  hasPositive: boolean;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
}

export function parseEntity(raw: unknown, field: string, policyNamespace: string | undefined): EntityRule {
  const e = (typeof raw === "object" && raw !== null ? raw : {}) as Json;
  const sel = (key: string): CalicoSelector | undefined => {
    const text = e[key];
    return typeof text === "string" && text.trim() !== "" ? parseCalicoSelector(text, `${field}.${key}`) : undefined;
  };
  const selector = sel("selector");
  const notSelector = sel("notSelector");
  const namespaceSelector = sel("namespaceSelector");
  if (selector) checkGlobalPlacement(selector, `${field}.selector`, "rule selector");
  if (namespaceSelector) checkGlobalPlacement(namespaceSelector, `${field}.namespaceSelector`, "rule namespaceSelector");
  const sa = (typeof e.serviceAccounts === "object" && e.serviceAccounts !== null ? e.serviceAccounts : undefined) as Json | undefined;
  const serviceAccountNames = sa && Array.isArray(sa.names) ? sa.names.map(String) : undefined;
  const serviceAccountSelector = sa && typeof sa.selector === "string" && sa.selector.trim() ? parseCalicoSelector(sa.selector, `${field}.serviceAccounts.selector`) : undefined;
  const nets = [...strings(e.nets), ...strings(e.net)].map((n, i) => parsePolicyCidr(n, `${field}.nets[${i}]`));
  const notNets = [...strings(e.notNets), ...strings(e.notNet)].map((n, i) => parsePolicyCidr(n, `${field}.notNets[${i}]`));
  const hasSelectorish = !!(selector || notSelector || serviceAccountNames || serviceAccountSelector);
  return {
    ...(selector ? { selector } : {}),
    ...(notSelector ? { notSelector } : {}),
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(serviceAccountNames ? { serviceAccountNames } : {}),
    ...(serviceAccountSelector ? { serviceAccountSelector } : {}),
    nets,
    notNets,
    ...(policyNamespace !== undefined && !namespaceSelector && hasSelectorish ? { ownNamespace: policyNamespace } : {}),
    hasPositive: !!(selector || namespaceSelector || serviceAccountNames || serviceAccountSelector || (policyNamespace !== undefined && notSelector)),
  };
}

function ipsMatchNets(ips: string[], nets: Cidr[]): boolean {
  if (ips.length === 0) return nets.some(isWholeFamily);
  return ips.some((ip) => nets.some((n) => cidrContains(n, ip)));
}

function workloadMatches(e: EntityRule, w: Workload, labels: CalicoLabels): boolean {
  if (e.ownNamespace !== undefined && w.namespace !== e.ownNamespace) return false;
  if (e.namespaceSelector && !matchesCalicoSelector(e.namespaceSelector, labels.namespace(w.namespace))) return false;
  if (e.selector && !matchesCalicoSelector(e.selector, labels.pod(w))) return false;
  if (e.serviceAccountNames && !e.serviceAccountNames.includes(w.serviceAccount)) return false;
  if (e.serviceAccountSelector && !matchesCalicoSelector(e.serviceAccountSelector, labels.serviceAccount(w))) return false;
  return true;
}

/** Does an endpoint satisfy the entity (without ports)? */
export function entityMatches(e: EntityRule, ep: Endpoint, labels: CalicoLabels): boolean {
  const ips = endpointIps(ep);
  if (e.nets.length && !ipsMatchNets(ips, e.nets)) return false;
  if (e.notNets.length && (ips.length ? ips.every((ip) => e.notNets.some((n) => cidrContains(n, ip))) : e.notNets.some(isWholeFamily))) return false;
  if (ep.type === "external") return !e.hasPositive;
  if (e.hasPositive && !workloadMatches(e, ep.workload, labels)) return false;
  if (e.notSelector && matchesCalicoSelector(e.notSelector, labels.pod(ep.workload))) return false;
  return true;
}

export function entityPeer(e: EntityRule, index: ModelIndex, labels: CalicoLabels): PeerMatcher {
  let ids: IdSet | undefined;
  const compute = (): IdSet => {
    let set: IdSet = ALL_IDS;
    if (e.nets.length) set = andIds(set, e.nets.some(isWholeFamily) ? ALL_IDS : onlyIds(index.workloadsWithIps.filter((id) => ipsMatchNets(index.workloads[id].podIPs, e.nets))));
    if (e.notNets.length) {
      const excluded = e.notNets.some(isWholeFamily) ? ALL_IDS : onlyIds(index.workloadsWithIps.filter((id) => index.workloads[id].podIPs.every((ip) => e.notNets.some((n) => cidrContains(n, ip)))));
      set = andIds(set, complementIds(excluded));
    }
    if (e.hasPositive) {
      if (e.ownNamespace !== undefined) {
        const nsId = index.namespaceId(e.ownNamespace);
        set = andIds(set, index.workloadsInNamespaces(nsId === undefined ? NO_IDS : onlyIds([nsId])));
      }
      if (e.namespaceSelector) set = andIds(set, index.workloadsInNamespaces(selectCalicoIds(e.namespaceSelector, labels.namespaceIndex)));
      if (e.selector) set = andIds(set, selectCalicoIds(e.selector, labels.podIndex));
      if (e.serviceAccountNames) set = andIds(set, e.serviceAccountNames.reduce<IdSet>((acc, n) => orIds(acc, labels.serviceAccountIndex.withValue("projectcalico.org/name", n)), NO_IDS));
      if (e.serviceAccountSelector) set = andIds(set, selectCalicoIds(e.serviceAccountSelector, labels.serviceAccountIndex));
    }
    if (e.notSelector) set = andIds(set, complementIds(selectCalicoIds(e.notSelector, labels.podIndex)));
    return set;
  };
  return { matches: (ep) => entityMatches(e, ep, labels), workloadIds: () => (ids ??= compute()) };
}
