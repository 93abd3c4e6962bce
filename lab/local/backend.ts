// `lab up|down --backend local`: the lab on upstream binaries run as local processes, no Docker.
// up: tools (built once, cached) → etcd, kube-apiserver, kube-controller-manager → CRDs → a Node
// object → the working stack config (the real API endpoint) → every rendered object applied in
// the Pulumi program's order → each Deployment's pods admitted (or refused) by the real admission
// chain. Nothing runs the pods yet: there is no kubelet and no container runtime here.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadStackSpec } from "../../components/spec/stack-config";
import type { PlatformSpec } from "../../components/spec/types";
import { EXIT_CODES } from "../check/compare";
import { committedStackConfigPath, stackConfigCopies, workingStackConfigPath, writeWorkingConfigStep } from "../plan/config-copy";
import type { LabSettings } from "../plan/settings";
import { kubectl, stackInitDir } from "../plan/steps";
import { executeStep, type LabIO } from "../run/execute";
import { crdFiles, ensureTools } from "../tools/build";
import { removeLocalData, runningDaemons, startControlPlane, stopControlPlane, type ControlPlane } from "./control-plane";
import { applyArgv, phaseYaml, planDeploy, type DeployPlan } from "./deploy";
import type { MeshBinaries } from "./mesh/host-mesh";
import { builtMeshBinaries } from "./mesh/tools";
import { LOCAL_NODE_NAME, localPaths } from "./paths";
import { acquireLock } from "./processes";
import { engineFiles, engineUp, type EngineDeploy } from "./pulumi";
import { checkAdmissionPolicies, waitForAdmission, type AdmissionSummary } from "./rollout";
import { applyNodeAddons, dataplaneDown, prepareNode, runPods, startNodeAgents, waitForPodsCreated, type CalicoStart, type DataplaneContext } from "./dataplane/dataplane";
import type { PodRecord } from "./dataplane/kubelet";
import { dataplanePrerequisites } from "./dataplane/node";
import { UPLINK } from "./dataplane/topology";

/** The address the local API server binds and advertises. */
export const LOCAL_API_ADDRESS = "127.0.0.1";

export function localNodeObject(): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: LOCAL_NODE_NAME,
      labels: { "kubernetes.io/hostname": LOCAL_NODE_NAME, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "app.kubernetes.io/managed-by": "hard-tenancy-lab" },
    },
    spec: {},
  };
}

async function installCrds(io: LabIO, settings: LabSettings, files: string[]): Promise<void> {
  for (const file of files) {
    await executeStep(io, { argv: kubectl(settings, "apply", "--server-side", "--force-conflicts", "--field-manager=hard-tenancy-lab", "-f", file), waitsFor: `the CRDs of ${file}`, timeoutSeconds: 120 });
  }
  await executeStep(io, { argv: kubectl(settings, "wait", "--for=condition=Established", "crd", "--all", "--timeout=90s"), waitsFor: "every CRD Established", timeoutSeconds: 120 });
}

/** calicoctl writing v3 objects into the Kubernetes datastore (KUBECONFIG comes from the runner). */
export function calicoctlApplyArgv(): string[] {
  return ["calicoctl", "apply", "--allow-version-mismatch", "-f", "-"];
}

/** Applies every phase; the API server's refusal of any object fails the deploy with its message. */
export async function applyPlatform(io: LabIO, settings: LabSettings, plan: DeployPlan): Promise<number> {
  let applied = 0;
  for (const phase of plan.phases) {
    await executeStep(
      io,
      phase.via === "calicoctl"
        ? { argv: calicoctlApplyArgv(), env: { DATASTORE_TYPE: "kubernetes" }, stdin: phaseYaml(phase), waitsFor: `${phase.name}: ${phase.objects.length} object(s) written to the Kubernetes datastore by calicoctl`, timeoutSeconds: 120 }
        : { argv: applyArgv(settings.context), stdin: phaseYaml(phase), waitsFor: `${phase.name}: ${phase.objects.length} object(s) accepted by the API server`, timeoutSeconds: 120 },
    );
    applied += phase.objects.length;
  }
  return applied;
}

export interface LocalUpResult {
  controlPlane: ControlPlane;
  spec: PlatformSpec;
  applied: number;
  skipped: DeployPlan["skipped"];
  admission: AdmissionSummary[];
  /** CEL type-check warnings of the admission policies (empty when they check clean). */
  policyWarnings: string[];
  /** Admission policies the API server had not type-checked by the timeout (their CEL is then unproven). */
  policiesUnchecked: string[];
  /** With `engine: "pulumi"`: the real Pulumi engine's stack and figures. */
  engine?: EngineDeploy;
  /** The dataplane's pods and start-up figures, or why it did not run. */
  dataplane: { pods: PodRecord[]; start: CalicoStart } | { notRun: string };
}

export interface LocalUpOptions {
  /** How the platform gets into the cluster: server-side apply of the rendered objects (default), or a real `pulumi up` (lab/local/pulumi.ts). */
  engine?: "apply" | "pulumi";
  /** "auto" (default): run the dataplane when this host can (root, ip netns, iptables, ipset); "off": control plane only. */
  dataplane?: "auto" | "off";
  /** "sidecars": every meshed pod gets a real sidecar (needs the dataplane and the mesh tools); default: sidecars when the mesh tools are built, else "off". */
  mesh?: "off" | "sidecars";
}

export async function localUp(io: LabIO, settings: LabSettings, options: LocalUpOptions = {}): Promise<LocalUpResult> {
  const paths = localPaths(settings.labDir);
  const release = acquireLock(paths.lock, "lab up --backend local");
  try {
    const tools = await ensureTools({ repoRoot: settings.repoRoot, log: (line) => io.log(line) });
    // The committed stack file decides the service CIDR; the working copy is written from it below.
    const committed = loadStackSpec({ file: committedStackConfigPath(settings) });
    const cannot = options.dataplane === "off" ? "switched off (--dataplane off)" : await dataplanePrerequisites();
    if (cannot) io.log(`dataplane: not run: ${cannot}`);
    else io.log(`dataplane: node namespace ${(await prepareNode(committed, settings.labDir)) === "created" ? "created" : "reused"} (uplink ${UPLINK.hostInterface} ${UPLINK.hostAddress} ↔ ${UPLINK.nodeAddress})`);
    io.log("control plane:");
    const bindAddress = cannot ? LOCAL_API_ADDRESS : UPLINK.hostAddress;
    const controlPlane = await startControlPlane({ paths, binDir: tools.layout.bin, serviceCidr: committed.cluster.serviceCidr, bindAddress, log: (line) => io.log(line) });
    if (controlPlane.startMs > 0) io.log(`  ready in ${(controlPlane.startMs / 1000).toFixed(1)} s`);
    await installCrds(io, settings, crdFiles(tools.layout, tools.manifest));
    await executeStep(io, { argv: applyArgv(settings.context), stdin: stringify(localNodeObject()), waitsFor: `the Node object ${LOCAL_NODE_NAME}` });
    const endpoint = { ip: controlPlane.state.apiServer.address, port: controlPlane.state.apiServer.port };
    await executeStep(io, writeWorkingConfigStep(settings, endpoint));
    const spec = loadStackSpec({ file: workingStackConfigPath(settings) });
    const bin = (name: string): string => join(tools.layout.bin, name);
    // The real istiod when `npm run tools -- --group mesh` has built it, else the echo stand-in.
    const mesh: { binaries?: MeshBinaries } = cannot ? {} : await builtMeshBinaries(settings.repoRoot);
    if (!cannot) io.log(mesh.binaries ? "istiod: the real istiod 1.30.4 (mesh tools built)" : `istiod: the echo stand-in on its ports (the mesh tools are not built: \`npm run tools -- --group mesh\`)`);
    if (options.mesh === "sidecars" && (cannot || !mesh.binaries)) {
      throw new Error(`--mesh sidecars needs the dataplane and the mesh tools: ${cannot ? `the dataplane cannot run (${cannot})` : "run `npm run tools -- --group mesh` first"}`);
    }
    // Sidecars by default wherever they can run: the check then judges every layer on real Envoys.
    const sidecars = mesh.binaries !== undefined && options.mesh !== "off";
    if (!cannot) io.log(sidecars ? "sidecars: every meshed pod gets pilot-agent and Envoy (--mesh off: none)" : `sidecars: none (${options.mesh === "off" ? "--mesh off" : "the mesh tools are not built"}): the check judges the L3/4 probes against the model without a mesh`);
    const dataplaneContext: DataplaneContext = {
      paths,
      spec,
      apiUrl: controlPlane.state.apiServer.url,
      caFile: controlPlane.pki.ca.cert,
      tools: { kubectl: bin("kubectl"), calicoctl: bin("calicoctl"), felix: bin("calico-felix"), kubeProxy: bin("kube-proxy"), coredns: bin("coredns"), ...(mesh.binaries ? { mesh: mesh.binaries } : {}) },
      log: (line) => io.log(line),
      ...(sidecars && mesh.binaries ? { sidecars: { binaries: mesh.binaries, spec } } : {}),
    };
    let start: CalicoStart | undefined;
    if (!cannot) {
      io.log("dataplane:");
      start = await startNodeAgents(dataplaneContext);
    }
    const plan = planDeploy(spec, undefined, { calico: cannot ? "skip" : "calicoctl" });
    const engine = options.engine === "pulumi" ? await engineUp(io, settings, workingStackConfigPath(settings)) : undefined;
    const applied = engine ? engine.resources : await applyPlatform(io, settings, plan);
    io.log(engine ? `pulumi up: ${applied} resources` : `applied ${applied} objects (server-side apply, field manager hard-tenancy)`);
    for (const skip of plan.skipped) io.log(`  skipped ${skip.object}: ${skip.reason}`);
    const policies = await checkAdmissionPolicies(io, settings);
    for (const warning of policies.warnings) io.log(`  ValidatingAdmissionPolicy type check: ${warning}`);
    if (policies.unchecked.length > 0) io.log(`  ValidatingAdmissionPolicies not type-checked yet: ${policies.unchecked.join(", ")}`);
    const admission = await waitForAdmission(io, settings, plan);
    let dataplane: LocalUpResult["dataplane"] = { notRun: cannot ?? "" };
    if (start) {
      await applyNodeAddons(dataplaneContext, readFileSync(controlPlane.pki.ca.cert, "utf8"));
      await waitForPodsCreated(dataplaneContext);
      io.log("pods (the local node runs each as a network namespace):");
      const pods = await runPods(dataplaneContext);
      io.log(`  ${pods.length} pod(s) running; Felix has programmed every one's policy chains`);
      dataplane = { pods, start };
    }
    return { controlPlane, spec, applied, skipped: plan.skipped, admission, policyWarnings: policies.warnings, policiesUnchecked: policies.unchecked, dataplane, ...(engine ? { engine } : {}) };
  } finally {
    release();
  }
}

export async function localDown(io: LabIO, settings: LabSettings): Promise<number> {
  const paths = localPaths(settings.labDir);
  const release = acquireLock(paths.lock, "lab down --backend local");
  try {
    for (const line of await dataplaneDown(paths, settings.labDir)) io.log(`  dataplane: ${line}`);
    const running = runningDaemons(paths);
    io.log(running.length > 0 ? `stopping ${running.join(", ")}` : "no local control plane process is running");
    await stopControlPlane(paths, (line) => io.log(line));
    for (const dir of [settings.stateDir, stackInitDir(settings), ...engineFiles(settings)]) rmSync(dir, { recursive: true, force: true });
    for (const copy of stackConfigCopies(settings).filter((path) => existsSync(path))) {
      rmSync(copy, { force: true });
      io.log(`removed ${copy}`);
    }
  } finally {
    release();
  }
  removeLocalData(paths);
  io.log(`removed ${paths.root}`);
  return EXIT_CODES.pass;
}
