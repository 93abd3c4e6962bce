// Options shared by every Helm release this package installs (helm.v3.Release, and the Release inside
// @pulumi/kubernetes-cert-manager's CertManager).
//
// - `skipAwait` stays false (the default): Pulumi/Helm wait for the release's Deployments and
//   DaemonSets to be ready, which is what makes a release usable as an ordering edge ("istiod ready").
// - `timeout` is per Kubernetes operation, in seconds; Helm's default is 300. A first `pulumi up` on a
//   fresh kind cluster pulls every image while the nodes are still waiting for the CNI, so we allow 10
//   minutes before a release is declared failed.
// - `atomic` stays off: an atomic failure uninstalls the release, which destroys the evidence (pods,
//   events) a user needs to see why it failed; a re-run of `pulumi up` retries the same release.

/** Seconds Helm waits for each Kubernetes operation of a release (Helm's default: 300). */
export const HELM_RELEASE_TIMEOUT_SECONDS = 600;
