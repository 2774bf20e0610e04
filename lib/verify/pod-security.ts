/**
 * The Pod Security Standards checks of Kubernetes 1.31 (kubernetes/pod-security-admission v0.31 policy/*.go),
 * on one pod spec: baseline checks, and for `restricted` the restricted checks on top. Returns the violated
 * checks with the container or field at fault. Windows pods and the user-namespace exemptions are not modeled.
 */
import { Container, PodSpec } from './pod-model';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** A violated check: its ID in pod-security-admission and what violates it. */
export interface PodSecurityViolation {
  readonly check: string;
  readonly detail: string;
}

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'downwardAPI', 'emptyDir', 'projected', 'secret', 'csi', 'persistentVolumeClaim', 'ephemeral']);

/** The level a namespace enforces, from its labels (privileged when unlabelled: Kubernetes' default). */
export function enforcedLevel(labels: Readonly<Record<string, string>> | undefined): { level: PodSecurityLevel; version: string } {
  const level = labels?.['pod-security.kubernetes.io/enforce'];
  return {
    level: level === 'restricted' || level === 'baseline' ? level : 'privileged',
    version: labels?.['pod-security.kubernetes.io/enforce-version'] ?? 'latest',
  };
}

/** Violations of `level` by the pod. */
export function checkPodSecurity(spec: PodSpec, level: PodSecurityLevel): PodSecurityViolation[] {
  if (level === 'privileged') return [];
  const out: PodSecurityViolation[] = [];
  const containers: Container[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const podSc = spec.securityContext ?? {};
  const add = (check: string, detail: string) => out.push({ check, detail });
  // Baseline.
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[field] === true) add('hostNamespaces', `${field}=true`);
  for (const v of spec.volumes ?? []) if (v.hostPath) add('hostPathVolumes', `volume ${v.name} is a hostPath (${v.hostPath.path})`);
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) add('privileged', `container ${c.name} is privileged`);
    for (const p of c.ports ?? []) if (p.hostPort) add('hostPorts', `container ${c.name} uses hostPort ${p.hostPort}`);
    const extra = (sc.capabilities?.add ?? []).filter((cap: string) => !BASELINE_CAPABILITIES.has(cap));
    if (extra.length > 0) add('capabilities_baseline', `container ${c.name} adds ${extra.join(', ')}`);
    if (sc.seccompProfile?.type === 'Unconfined') add('seccompProfile_baseline', `container ${c.name} sets seccompProfile Unconfined`);
    if (sc.procMount && sc.procMount !== 'Default') add('procMount', `container ${c.name} sets procMount ${sc.procMount}`);
    if (sc.appArmorProfile?.type === 'Unconfined') add('appArmorProfile', `container ${c.name} sets appArmorProfile Unconfined`);
    if (sc.windowsOptions?.hostProcess === true) add('windowsHostProcess', `container ${c.name} is a Windows HostProcess`);
    if (sc.seLinuxOptions?.user || sc.seLinuxOptions?.role) add('seLinuxOptions', `container ${c.name} sets seLinuxOptions user/role`);
  }
  if (podSc.seccompProfile?.type === 'Unconfined') add('seccompProfile_baseline', 'pod sets seccompProfile Unconfined');
  for (const s of podSc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) add('sysctls', `sysctl ${s.name} is not in the safe set`);
  if (level === 'baseline') return out;
  // Restricted.
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.has(type) && type !== 'hostPath') add('restrictedVolumes', `volume ${v.name} has type ${type}`);
  }
  if (podSc.runAsUser === 0) add('runAsUser', 'pod runs as user 0');
  const podNonRoot = podSc.runAsNonRoot === true;
  const podSeccomp = ['RuntimeDefault', 'Localhost'].includes(podSc.seccompProfile?.type);
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) add('allowPrivilegeEscalation', `container ${c.name} does not set allowPrivilegeEscalation=false`);
    if (sc.runAsNonRoot === false || (!podNonRoot && sc.runAsNonRoot !== true)) add('runAsNonRoot', `container ${c.name} may run as root (runAsNonRoot not true on the pod or the container)`);
    if (sc.runAsUser === 0) add('runAsUser', `container ${c.name} runs as user 0`);
    const seccomp = sc.seccompProfile?.type;
    if (!(seccomp === 'RuntimeDefault' || seccomp === 'Localhost' || (seccomp === undefined && podSeccomp))) {
      add('seccompProfile_restricted', `container ${c.name} has no RuntimeDefault or Localhost seccomp profile (nor does the pod)`);
    }
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) add('capabilities_restricted', `container ${c.name} does not drop ALL capabilities`);
    const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) add('capabilities_restricted', `container ${c.name} adds ${added.join(', ')}`);
  }
  return out;
}
