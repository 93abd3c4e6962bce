// The local control plane's certificates, made with the openssl CLI (no hand-rolled ASN.1):
//   - cluster CA: the API server's serving certificate and every client certificate (the admin in
//     system:masters, kube-controller-manager as system:kube-controller-manager);
//   - etcd CA: etcd's serving certificate and the API server's etcd client certificate, so only the
//     API server can talk to etcd (a cluster-CA client certificate is not enough);
//   - front-proxy CA: the aggregation layer's client certificate (for aggregated API servers);
//   - the service-account signing key pair.
// Keys are ECDSA P-256 (fast to make; Kubernetes accepts them for TLS); the service-account key is
// RSA 2048, the most widely accepted for token signing.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  dir: string;
  ca: { cert: string; key: string };
  etcdCa: { cert: string; key: string };
  frontProxyCa: { cert: string; key: string };
  apiServer: { cert: string; key: string };
  apiServerEtcdClient: { cert: string; key: string };
  etcdServer: { cert: string; key: string };
  frontProxyClient: { cert: string; key: string };
  admin: { cert: string; key: string };
  controllerManager: { cert: string; key: string };
  serviceAccount: { key: string; pub: string };
}

export interface PkiRequest {
  dir: string;
  /** Addresses the API server is reached at (SANs): its bind address, the Service VIP. */
  apiServerIps: string[];
  /** Kubernetes' cluster domain for the in-cluster DNS names of the API server. */
  clusterDomain?: string;
}

const DAYS_CA = 3650;
const DAYS_LEAF = 365;

export async function openssl(args: string[]): Promise<void> {
  // zx is ESM-only for TypeScript's CommonJS output: load it with a dynamic import.
  const { $ } = await import("zx");
  const result = await $({ nothrow: true, quiet: true })`openssl ${args}`;
  if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim().split("\n")[0] ?? `exit ${result.exitCode}`}`);
}

function pair(dir: string, name: string): { cert: string; key: string } {
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export async function makeCa(dir: string, name: string, commonName: string): Promise<{ cert: string; key: string }> {
  const files = pair(dir, name);
  if (existsSync(files.cert) && existsSync(files.key)) return files;
  await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", files.key]);
  await openssl(["req", "-x509", "-new", "-key", files.key, "-sha256", "-days", String(DAYS_CA), "-subj", `/CN=${commonName}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", "-out", files.cert]);
  return files;
}

export interface LeafRequest {
  name: string;
  /** `/CN=…/O=…` */
  subject: string;
  usage: "server" | "client" | "both";
  dnsNames?: string[];
  ips?: string[];
  /** URI SANs (a SPIFFE identity). */
  uris?: string[];
  /** A subordinate CA (CA:TRUE, pathlen 0, may sign certificates) instead of a leaf. */
  intermediate?: boolean;
}

export async function makeLeaf(dir: string, ca: { cert: string; key: string }, request: LeafRequest): Promise<{ cert: string; key: string }> {
  const files = pair(dir, request.name);
  if (existsSync(files.cert) && existsSync(files.key)) return files;
  const csr = join(dir, `${request.name}.csr`);
  const ext = join(dir, `${request.name}.ext`);
  const sans = [...(request.dnsNames ?? []).map((d) => `DNS:${d}`), ...(request.ips ?? []).map((ip) => `IP:${ip}`), ...(request.uris ?? []).map((uri) => `URI:${uri}`)];
  const usage = request.usage === "server" ? "serverAuth" : request.usage === "client" ? "clientAuth" : "serverAuth,clientAuth";
  writeFileSync(
    ext,
    (request.intermediate
      ? ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"]
      : ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", `extendedKeyUsage=${usage}`]
    ).concat([
      ...(sans.length > 0 ? [`subjectAltName=${sans.join(",")}`] : []),
    ]).join("\n") + "\n",
  );
  await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", files.key]);
  await openssl(["req", "-new", "-key", files.key, "-subj", request.subject, "-out", csr]);
  await openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-sha256", "-days", String(DAYS_LEAF), "-extfile", ext, "-out", files.cert]);
  return files;
}

/** Makes whatever is missing under `dir` (an existing, complete PKI is reused as it is). */
export async function ensurePki(request: PkiRequest): Promise<Pki> {
  const dir = request.dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const domain = request.clusterDomain ?? "cluster.local";
  const ca = await makeCa(dir, "ca", "hard-tenancy-local-ca");
  const etcdCa = await makeCa(dir, "etcd-ca", "hard-tenancy-local-etcd-ca");
  const frontProxyCa = await makeCa(dir, "front-proxy-ca", "hard-tenancy-local-front-proxy-ca");
  const apiServer = await makeLeaf(dir, ca, {
    name: "apiserver",
    subject: "/CN=kube-apiserver",
    usage: "server",
    dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${domain}`],
    ips: [...new Set(["127.0.0.1", ...request.apiServerIps])],
  });
  const etcdServer = await makeLeaf(dir, etcdCa, { name: "etcd-server", subject: "/CN=etcd", usage: "both", dnsNames: ["localhost"], ips: ["127.0.0.1"] });
  const apiServerEtcdClient = await makeLeaf(dir, etcdCa, { name: "apiserver-etcd-client", subject: "/CN=kube-apiserver-etcd-client", usage: "client" });
  const frontProxyClient = await makeLeaf(dir, frontProxyCa, { name: "front-proxy-client", subject: "/CN=front-proxy-client", usage: "client" });
  // system:masters bypasses RBAC: only the lab's own admin (the Pulumi provider, the deploy, the
  // check's impersonation) uses it; every tenant identity is impersonated through it and meets RBAC.
  const admin = await makeLeaf(dir, ca, { name: "admin", subject: "/O=system:masters/CN=hard-tenancy-admin", usage: "client" });
  const controllerManager = await makeLeaf(dir, ca, { name: "controller-manager", subject: "/CN=system:kube-controller-manager", usage: "client" });
  const serviceAccount = { key: join(dir, "sa.key"), pub: join(dir, "sa.pub") };
  if (!existsSync(serviceAccount.key) || !existsSync(serviceAccount.pub)) {
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", serviceAccount.key]);
    await openssl(["pkey", "-in", serviceAccount.key, "-pubout", "-out", serviceAccount.pub]);
  }
  return { dir, ca, etcdCa, frontProxyCa, apiServer, apiServerEtcdClient, etcdServer, frontProxyClient, admin, controllerManager, serviceAccount };
}
