// The labels Calico evaluates selectors against (docs.tigera.io "Calico automatic labels"):
// a pod's own labels plus projectcalico.org/namespace, /orchestrator and /serviceaccount, and
// its namespace's labels prefixed "pcns."; a namespace's labels plus projectcalico.org/name (for
// namespaceSelector); a service account's projectcalico.org/name (for serviceAccountSelector).
import { LabelIndex } from "../../selectors";
import type { ModelIndex } from "../../model-index";
import type { Workload } from "../../types";

export const CALICO_NAME = "projectcalico.org/name";
export const CALICO_NAMESPACE = "projectcalico.org/namespace";

export interface CalicoLabels {
  pod(w: Workload): Record<string, string>;
  namespace(name: string): Record<string, string>;
  serviceAccount(w: Workload): Record<string, string>;
  podIndex: LabelIndex;
  namespaceIndex: LabelIndex;
  serviceAccountIndex: LabelIndex;
}

export function calicoLabels(index: ModelIndex): CalicoLabels {
  const nsCache = new Map<string, Record<string, string>>();
  const namespace = (name: string): Record<string, string> => {
    let labels = nsCache.get(name);
    if (!labels) {
      const own = index.model.namespaces.get(name)?.labels ?? { "kubernetes.io/metadata.name": name };
      nsCache.set(name, (labels = { ...own, [CALICO_NAME]: name }));
    }
    return labels;
  };
  const podCache = new Map<Workload, Record<string, string>>();
  const pod = (w: Workload): Record<string, string> => {
    let labels = podCache.get(w);
    if (!labels) {
      const pcns = Object.fromEntries(Object.entries(namespace(w.namespace)).map(([k, v]) => [`pcns.${k}`, v]));
      labels = { ...pcns, ...w.podLabels, [CALICO_NAMESPACE]: w.namespace, "projectcalico.org/orchestrator": "k8s", "projectcalico.org/serviceaccount": w.serviceAccount };
      podCache.set(w, labels);
    }
    return labels;
  };
  const serviceAccount = (w: Workload): Record<string, string> => ({ [CALICO_NAME]: w.serviceAccount });
  return {
    pod,
    namespace,
    serviceAccount,
    podIndex: new LabelIndex(index.workloads.map(pod)),
    namespaceIndex: new LabelIndex(index.namespaceNames.map(namespace)),
    serviceAccountIndex: new LabelIndex(index.workloads.map(serviceAccount)),
  };
}
