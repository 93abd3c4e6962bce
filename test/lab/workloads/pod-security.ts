// A checker for the Pod Security Standards `restricted` profile (which includes `baseline`), after
// https://kubernetes.io/docs/concepts/security/pod-security-standards/ — the controls Pod Security
// Admission enforces. Input: a PodSpec as plain JSON. Output: one message per violation.

type Json = Record<string, unknown>;

const BASELINE_ADDABLE_CAPABILITIES = new Set([
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
  "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
const RESTRICTED_ADDABLE_CAPABILITIES = new Set(["NET_BIND_SERVICE"]);
const RESTRICTED_VOLUME_TYPES = new Set([
  "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const SECCOMP_ALLOWED = new Set(["RuntimeDefault", "Localhost"]);

function obj(value: unknown): Json {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}
function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

/** Every violation of Pod Security `restricted` in `podSpec` (empty = compliant). */
export function restrictedViolations(podSpec: Json): string[] {
  const problems: string[] = [];
  const podSecurity = obj(podSpec.securityContext);
  const containers = [
    ...list(podSpec.initContainers).map((c) => ({ where: `initContainers[${String(c.name)}]`, c })),
    ...list(podSpec.containers).map((c) => ({ where: `containers[${String(c.name)}]`, c })),
    ...list(podSpec.ephemeralContainers).map((c) => ({ where: `ephemeralContainers[${String(c.name)}]`, c })),
  ];

  // baseline: host namespaces, HostProcess, hostPath, sysctls, pod-level SELinux/seccomp/AppArmor
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (podSpec[field] === true) problems.push(`${field} must be unset or false`);
  }
  if (obj(podSecurity.windowsOptions).hostProcess === true) problems.push("securityContext.windowsOptions.hostProcess must not be true");
  for (const sysctl of list(podSecurity.sysctls)) {
    if (!SAFE_SYSCTLS.has(String(sysctl.name))) problems.push(`sysctl ${String(sysctl.name)} is not in the safe set`);
  }
  checkSeLinux(podSecurity, "securityContext", problems);
  checkAppArmor(podSecurity, "securityContext", problems);
  const podSeccomp = obj(podSecurity.seccompProfile).type;
  if (podSeccomp === "Unconfined") problems.push("securityContext.seccompProfile.type must not be Unconfined");

  // restricted: volume types
  for (const volume of list(podSpec.volumes)) {
    const types = Object.keys(volume).filter((k) => k !== "name");
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type)) problems.push(`volume ${String(volume.name)} uses ${type}, not allowed by restricted`);
    }
  }

  const podNonRoot = podSecurity.runAsNonRoot === true;
  const podSeccompOk = SECCOMP_ALLOWED.has(String(podSeccomp));
  if (podSecurity.runAsUser === 0) problems.push("securityContext.runAsUser must not be 0");

  for (const { where, c } of containers) {
    const sc = obj(c.securityContext);
    if (sc.privileged === true) problems.push(`${where}: privileged must be unset or false`);
    if (obj(sc.windowsOptions).hostProcess === true) problems.push(`${where}: hostProcess must not be true`);
    for (const port of list(c.ports)) {
      if (port.hostPort !== undefined && port.hostPort !== 0) problems.push(`${where}: hostPort must be unset or 0`);
    }
    if (sc.procMount !== undefined && sc.procMount !== "Default") problems.push(`${where}: procMount must be Default`);
    checkSeLinux(sc, where, problems);
    checkAppArmor(sc, where, problems);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
    if (sc.runAsNonRoot === false || (!podNonRoot && sc.runAsNonRoot !== true)) {
      problems.push(`${where}: runAsNonRoot must be true (here or at pod level)`);
    }
    if (sc.runAsUser === 0) problems.push(`${where}: runAsUser must not be 0`);
    const seccomp = obj(sc.seccompProfile).type;
    if (seccomp === undefined ? !podSeccompOk : !SECCOMP_ALLOWED.has(String(seccomp))) {
      problems.push(`${where}: seccompProfile.type must be RuntimeDefault or Localhost (here or at pod level)`);
    }
    const capabilities = obj(sc.capabilities);
    const dropped = Array.isArray(capabilities.drop) ? capabilities.drop.map(String) : [];
    if (!dropped.includes("ALL")) problems.push(`${where}: capabilities.drop must include ALL`);
    const added = Array.isArray(capabilities.add) ? capabilities.add.map(String) : [];
    for (const cap of added) {
      if (!BASELINE_ADDABLE_CAPABILITIES.has(cap) || !RESTRICTED_ADDABLE_CAPABILITIES.has(cap)) {
        problems.push(`${where}: capability ${cap} may not be added (only NET_BIND_SERVICE)`);
      }
    }
  }
  return problems;
}

function checkSeLinux(sc: Json, where: string, problems: string[]): void {
  const options = obj(sc.seLinuxOptions);
  if (options.type !== undefined && !SELINUX_TYPES.has(String(options.type))) problems.push(`${where}: seLinuxOptions.type ${String(options.type)} is not allowed`);
  if (options.user !== undefined || options.role !== undefined) problems.push(`${where}: seLinuxOptions.user/role must be unset`);
}

function checkAppArmor(sc: Json, where: string, problems: string[]): void {
  const type = obj(sc.appArmorProfile).type;
  if (type === "Unconfined") problems.push(`${where}: appArmorProfile.type must not be Unconfined`);
}
