// The local lab's mesh CA, laid out as the platform ships it (components/pulumi/MeshCertificateAuthority.ts):
// a self-signed root and an intermediate CA in the `cacerts` Secret of the mesh namespace, in the
// `kubernetes.io/tls` layout cert-manager writes (tls.crt = intermediate, tls.key, ca.crt = root).
// istiod finds it at ./etc/cacerts and signs every workload certificate with the intermediate
// (istio/istio#39732: "Using kubernetes.io/tls secret type for signing ca files"), so the root every
// sidecar trusts is this root. The lab holds the keys, so it can also mint certificates for attacks:
// a forged one (self-signed, claiming a victim's SPIFFE identity) and a foreign one (another CA's) —
// and, as the positive control, a genuine one from the intermediate, which a sidecar must accept.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { K8sObject } from "../../../components/k8s/object";
import type { LocalPaths } from "../paths";
import { makeCa, makeLeaf } from "../pki";

/** The Secret istiod reads its plug-in CA from (Istio's `cacerts`, mounted at ./etc/cacerts). */
export const PLUGIN_CA_SECRET = "cacerts";
/** Where istiod resolves the plug-in CA files (Istio's ROOT_CA_DIR default, relative to its working directory). */
export const PLUGIN_CA_MOUNT = "/etc/cacerts";

export interface MeshCa {
  root: { cert: string; key: string };
  intermediate: { cert: string; key: string };
}

/** Where the lab keeps the mesh CA's keys (beside the control plane's PKI, removed by `lab down`). */
export function meshCaDir(paths: Pick<LocalPaths, "root">): string {
  return join(paths.root, "mesh-ca");
}

/** The root and intermediate under `dir` (made once, then reused). */
export async function ensureMeshCa(dir: string): Promise<MeshCa> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const root = await makeCa(dir, "mesh-root", "hard-tenancy-mesh-root");
  const intermediate = await makeLeaf(dir, root, { name: "mesh-intermediate", subject: "/O=hard-tenancy/CN=istio-plugin-ca", usage: "both", intermediate: true });
  return { root, intermediate };
}

/** The `cacerts` Secret in the layout cert-manager's intermediate Certificate writes. */
export function pluginCaSecret(namespace: string, ca: MeshCa): K8sObject {
  const b64 = (file: string) => readFileSync(file).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: PLUGIN_CA_SECRET, namespace },
    type: "kubernetes.io/tls",
    data: { "tls.crt": b64(ca.intermediate.cert), "tls.key": b64(ca.intermediate.key), "ca.crt": b64(ca.root.cert) },
  } as K8sObject;
}

/** A workload's SPIFFE identity as Istio writes it into certificates. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

export interface MintedCertificate {
  cert: string;
  key: string;
  /** The chain to present (leaf, then its issuer when it is the intermediate). */
  chain: string;
}

/**
 * A workload certificate for `identity`, signed by `signer`: the mesh intermediate (genuine, with the
 * intermediate appended to the chain as istiod does), or any other CA (forged or foreign).
 */
export async function mintWorkloadCertificate(dir: string, name: string, signer: { cert: string; key: string }, identity: string, chainWithSigner: boolean): Promise<MintedCertificate> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const leaf = await makeLeaf(dir, signer, { name, subject: "/O=hard-tenancy-lab", usage: "both", uris: [identity] });
  const chain = join(dir, `${name}.chain.pem`);
  writeFileSync(chain, readFileSync(leaf.cert, "utf8") + (chainWithSigner ? readFileSync(signer.cert, "utf8") : ""));
  return { ...leaf, chain };
}

/** A CA the mesh does not trust: what a tenant could run itself. */
export async function foreignCa(dir: string): Promise<{ cert: string; key: string }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return makeCa(dir, "foreign-root", "not-the-mesh-root");
}
