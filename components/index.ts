// hard-tenancy: the public entry of the component package.
//
//   import { Platform, Tenant } from "hard-tenancy";
//   new Platform("platform", { config: { tenants: [{ name: "acme" }] } });
//
// Pulumi components (thin: they instantiate builder output), the spec (types, defaults,
// validation) and the pure builders (spec → plain Kubernetes objects, no Pulumi needed).
export { Platform, resolvePlatformSpec, routeWorkloads, PLATFORM_TYPE, type PlatformArgs } from "./pulumi/Platform";
export { Tenant, TENANT_TYPE, type TenantArgs } from "./pulumi/Tenant";
export { SharedServices, SHARED_SERVICES_TYPE, type SharedServicesArgs } from "./pulumi/SharedServices";
export { Calico, CALICO_TYPE, type CalicoArgs } from "./pulumi/Calico";
export { MeshCertificateAuthority, MESH_CA_TYPE, ISTIO_PLUGIN_CA_SECRET, type MeshCertificateAuthorityArgs } from "./pulumi/MeshCertificateAuthority";
export { IstioMesh, ISTIO_MESH_TYPE, type IstioMeshArgs } from "./pulumi/IstioMesh";
export { KubernetesObject, kubernetesTypeToken, kubernetesResourceName, type Readiness } from "./pulumi/objects";
export * from "./spec";
export { buildPlatformObjects, buildTenantObjects, type PlatformObjects } from "./builders";
export type { K8sObject, ObjectMeta } from "./k8s/object";
export { objectKey } from "./k8s/object";
