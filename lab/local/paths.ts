// Where the local backend keeps everything: .lab/local/ (git-ignored) holds etcd's data, the
// certificates, logs, pid files, the lock and a private kubeconfig. Nothing outside it is written;
// the user's kubeconfig is never touched (children get KUBECONFIG explicitly).
import { join } from "node:path";

/** The context name in the local backend's private kubeconfig. */
export const LOCAL_CONTEXT = "hard-tenancy-local";
/** The Node object the local backend registers (and, later, the hostname Felix runs as). */
export const LOCAL_NODE_NAME = "hard-tenancy-local";

export interface LocalPaths {
  root: string;
  etcdData: string;
  certs: string;
  logs: string;
  pids: string;
  kubeconfig: string;
  /** Held (O_EXCL, our pid inside) while `up` or `down` runs. */
  lock: string;
  /** JSON: ports and addresses of the running control plane. */
  state: string;
}

export function localPaths(labDir: string): LocalPaths {
  const root = join(labDir, "local");
  return {
    root,
    etcdData: join(root, "etcd"),
    certs: join(root, "pki"),
    logs: join(root, "logs"),
    pids: join(root, "pids"),
    kubeconfig: join(root, "kubeconfig"),
    lock: join(root, "lock"),
    state: join(root, "state.json"),
  };
}
