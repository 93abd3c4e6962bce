// The shared-services namespace (the article's log collector): tenants reach their own path only,
// `<pathPrefix>/<tenant>/…`, from their own namespace, with the identity taken from the verified
// peer certificate (XFCC reset by the service's own sidecar, never what the client sent: mesh-wide
// SANITIZE_SET, see IstioMesh). The workloads themselves are built by the lab (lab/workloads/demo.ts).
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec, SharedServiceSpec, TenantSpec } from "../spec/types";
import {
  API,
  SHARED_ACCESS_LABEL_VALUE,
  appSelector,
  makeObject,
  sharedAccessLabel,
} from "./common";
import { defaultServiceAccount, platformNamespaceLabels } from "./tenant/namespace";
import { defaultDenyPolicy, dnsEgressPolicy, istiodEgressPolicy } from "./tenant/network-policies";
import { strictPeerAuthentication } from "./tenant/istio-policies";
import { scopedSidecar } from "./tenant/sidecar";

/** Header a shared service reads the caller's tenant identity from (Lua mode). */
export const TENANT_IDENTITY_HEADER = "x-tenant-identity";

function sharedObject(spec: PlatformSpec, apiVersion: string, kind: string, name: string, body: Record<string, unknown>): K8sObject {
  return makeObject(apiVersion, kind, name, { namespace: spec.sharedServices.namespace }, body);
}

/**
 * Ingress to one shared service from every namespace the platform labelled as its caller. The
 * label (set only by the platform on tenant Namespaces, which tenant admins cannot edit) keeps
 * this policy the same size whatever the number of tenants.
 */
function sharedIngressPolicy(spec: PlatformSpec, service: SharedServiceSpec): K8sObject {
  return sharedObject(spec, API.networking, "NetworkPolicy", `allow-tenants-to-${service.name}`, {
    spec: {
      podSelector: appSelector(service.name),
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { [sharedAccessLabel(service.name)]: SHARED_ACCESS_LABEL_VALUE } } }],
          ports: [{ protocol: "TCP", port: service.port }],
        },
      ],
    },
  });
}

/**
 * Header-injection DENY: nobody outside the shared namespace may send `x-tenant-identity`.
 * It lives in the shared namespace (it applies to every shared service) rather than mesh-wide: a
 * DENY rule ignores HTTP-only conditions on TCP traffic, so a mesh-wide version would deny every
 * non-HTTP connection between namespaces in the whole mesh (DESIGN §3). `*` = header present.
 * In Lua mode the filter runs after this check (it is inserted before the router), so the header
 * it sets on genuine requests is never seen here.
 */
function headerInjectionDenyPolicy(spec: PlatformSpec): K8sObject {
  return sharedObject(spec, API.istioSecurity, "AuthorizationPolicy", "deny-tenant-identity-injection", {
    spec: {
      action: "DENY",
      rules: [
        {
          from: [{ source: { notNamespaces: [spec.sharedServices.namespace] } }],
          when: [{ key: `request.headers[${TENANT_IDENTITY_HEADER}]`, values: ["*"] }],
        },
      ],
    },
  });
}

/**
 * Lua filter that REPLACES `x-tenant-identity` with the caller's verified SPIFFE URI, and removes
 * it when there is no peer certificate (article bug 4: it `add`ed the header, so a tenant could
 * pre-set it, and treated `uriSanPeerCertificate()` — a table of strings — as a string; Envoy Lua
 * filter reference). Inserted before the router, i.e. after Istio's RBAC filter.
 */
export const TENANT_IDENTITY_LUA = [
  "function envoy_on_request(request_handle)",
  "  local headers = request_handle:headers()",
  `  headers:remove("${TENANT_IDENTITY_HEADER}")`,
  "  local ssl = request_handle:streamInfo():downstreamSslConnection()",
  "  if ssl == nil or not ssl:peerCertificatePresented() then",
  "    return",
  "  end",
  "  local uris = ssl:uriSanPeerCertificate()",
  "  if uris ~= nil and #uris > 0 then",
  `    headers:add("${TENANT_IDENTITY_HEADER}", uris[1])`,
  "  end",
  "end",
  "",
].join("\n");

/** Envoy's HTTP connection manager: the network filter both shared-service EnvoyFilters patch. */
const HCM_FILTER = "envoy.filters.network.http_connection_manager";
const HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

/** An EnvoyFilter with one config patch, applied to the inbound sidecar of one shared service's pods. */
function inboundEnvoyFilter(spec: PlatformSpec, service: SharedServiceSpec, name: string, configPatch: Record<string, unknown>): K8sObject {
  return sharedObject(spec, API.istioEnvoyFilter, "EnvoyFilter", name, {
    spec: { workloadSelector: { labels: { ...appSelector(service.name).matchLabels } }, configPatches: [configPatch] },
  });
}

function tenantIdentityLuaFilter(spec: PlatformSpec, service: SharedServiceSpec): K8sObject {
  return inboundEnvoyFilter(spec, service, `tenant-identity-${service.name}`, {
    applyTo: "HTTP_FILTER",
    match: { context: "SIDECAR_INBOUND", listener: { filterChain: { filter: { name: HCM_FILTER, subFilter: { name: "envoy.filters.http.router" } } } } },
    patch: {
      operation: "INSERT_BEFORE",
      value: {
        name: "envoy.filters.http.lua",
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
          default_source_code: { inline_string: TENANT_IDENTITY_LUA },
        },
      },
    },
  });
}

/**
 * XFCC sanitising on a shared service's inbound sidecar, for clusters whose Istio the platform does
 * not install (`install.istio: false`). When IstioMesh installs istiod it sets
 * `meshConfig.defaultConfig.proxyHeaders.forwardedClientCert: SANITIZE_SET` for every sidecar
 * (components/pulumi/IstioMesh.ts), and this filter would only repeat it. Without that mesh setting
 * Istio's inbound HCM uses APPEND_FORWARD: a client that speaks mTLS to the pod itself (its own
 * genuine certificate, bypassing its own outbound sidecar) can send an XFCC header of its choosing
 * and the sidecar only appends the true element after it. `SANITIZE_SET` replaces whatever the client
 * sent with one element built from the verified peer certificate; without a client certificate the
 * header is removed. MERGE keeps Istio's other `set_current_client_cert_details` fields (proto merge
 * sets only `uri`), so the single element still carries Istio's Subject/DNS details of the same peer.
 */
function xfccSanitizeFilter(spec: PlatformSpec, service: SharedServiceSpec): K8sObject {
  return inboundEnvoyFilter(spec, service, `sanitize-xfcc-${service.name}`, {
    applyTo: "NETWORK_FILTER",
    match: { context: "SIDECAR_INBOUND", listener: { filterChain: { filter: { name: HCM_FILTER } } } },
    patch: {
      operation: "MERGE",
      value: {
        typed_config: {
          "@type": HCM_TYPE,
          forward_client_cert_details: "SANITIZE_SET",
          set_current_client_cert_details: { uri: true },
        },
      },
    },
  });
}

/** Platform-side objects of the shared namespace (empty when shared services are off). */
export function buildSharedServicesObjects(spec: PlatformSpec): K8sObject[] {
  const shared = spec.sharedServices;
  if (!shared.enabled) return [];
  const ns = shared.namespace;
  const objects: K8sObject[] = [
    makeObject(API.core, "Namespace", ns, { labels: platformNamespaceLabels(spec, "shared-services") }, {}),
    defaultServiceAccount(ns),
  ];
  if (spec.layers.networkPolicy) {
    objects.push(defaultDenyPolicy(ns), dnsEgressPolicy(spec, ns));
    if (spec.install.istio) objects.push(istiodEgressPolicy(spec, ns));
    objects.push(...shared.services.map((s) => sharedIngressPolicy(spec, s)));
  }
  if (spec.layers.peerAuthentication) objects.push(strictPeerAuthentication(ns));
  if (spec.layers.authorization) objects.push(headerInjectionDenyPolicy(spec));
  if (spec.layers.sidecarScoping) objects.push(scopedSidecar(ns, [spec.meshNamespace]));
  if (!spec.install.istio) objects.push(...shared.services.map((s) => xfccSanitizeFilter(spec, s)));
  if (shared.identityPropagation === "lua") objects.push(...shared.services.map((s) => tenantIdentityLuaFilter(spec, s)));
  return objects;
}

/**
 * ALLOW on one shared service for one tenant: its namespace, the service's methods, and only its
 * own path (`<prefix>/<tenant>` and `<prefix>/<tenant>/*`). One object per (service, tenant), owned
 * by the tenant, so no object grows with the number of tenants.
 */
export function sharedServiceAllowPolicy(spec: PlatformSpec, tenant: TenantSpec, service: SharedServiceSpec): K8sObject {
  const base = `${service.pathPrefix.replace(/\/+$/, "")}/${tenant.name}`;
  const operation: Record<string, unknown> = { ports: [String(service.port)], paths: [base, `${base}/*`] };
  if (service.methods.length > 0) operation.methods = [...service.methods];
  return makeObject(
    API.istioSecurity,
    "AuthorizationPolicy",
    `allow-${service.name}-${tenant.name}`,
    { namespace: spec.sharedServices.namespace, tenant: tenant.name },
    {
      spec: {
        selector: { matchLabels: { ...appSelector(service.name).matchLabels } },
        action: "ALLOW",
        rules: [{ from: [{ source: { namespaces: [tenant.namespace] } }], to: [{ operation }] }],
      },
    },
  );
}
