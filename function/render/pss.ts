/**
 * A checker of the Kubernetes "restricted" Pod Security Standard (which includes baseline), as
 * Pod Security Admission evaluates it at its latest version (v1.34+ check list). It exists so the
 * restricted profile is proven, not hoped for: tests run every rendered pod through it, and the
 * function reports a violation as a field error instead of letting admission reject the pods later
 * (PSA admits the Deployment and only refuses its pods, which surfaces as a stuck ReplicaSet).
 *
 * Linux pods only: like PSA, the Linux-only controls are skipped when `spec.os.name` is windows.
 */
import type {
  V1Container,
  V1LifecycleHandler,
  V1PodSecurityContext,
  V1PodTemplateSpec,
  V1Probe,
  V1SecurityContext,
} from '@kubernetes/client-node';
import type { FieldIssue, PathSegment } from '../schema/issues.js';

export type PssCheck =
  | 'hostProcess'
  | 'hostNamespaces'
  | 'privileged'
  | 'capabilities'
  | 'hostPorts'
  | 'hostProbesAndHostLifecycle'
  | 'appArmor'
  | 'seLinux'
  | 'procMount'
  | 'sysctls'
  | 'restrictedVolumes'
  | 'allowPrivilegeEscalation'
  | 'runAsNonRoot'
  | 'runAsUser'
  | 'seccomp';

export const PSS_RULE_PREFIX = 'pss-restricted';

const ALLOWED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'] as const;
const ALLOWED_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const ALLOWED_PROFILE_TYPES = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const LIST_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

interface Visit {
  readonly container: V1Container;
  readonly path: readonly PathSegment[];
}

function containersOf(pod: V1PodTemplateSpec): Visit[] {
  const out: Visit[] = [];
  for (const field of LIST_FIELDS) {
    const list = (pod.spec?.[field] ?? []) as V1Container[];
    list.forEach((container, i) => out.push({ container, path: ['spec', field, i] }));
  }
  return out;
}

/** Pod Security Admission's check over a pod template; every violation, in a fixed order. */
export function checkRestricted(pod: V1PodTemplateSpec): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const spec = pod.spec;
  const podSc: V1PodSecurityContext = spec?.securityContext ?? {};
  const linux = spec?.os?.name !== 'windows';
  const containers = containersOf(pod);
  const add = (check: PssCheck, path: readonly PathSegment[], message: string) =>
    issues.push({ path, rule: `${PSS_RULE_PREFIX}:${check}`, message });
  const podScPath = ['spec', 'securityContext'];
  const label = (v: Visit) => `container "${v.container.name}"`;
  const scPath = (v: Visit, ...rest: PathSegment[]) => [...v.path, 'securityContext', ...rest];
  const sc = (v: Visit): V1SecurityContext => v.container.securityContext ?? {};

  // hostProcess
  if (podSc.windowsOptions?.hostProcess === true) add('hostProcess', [...podScPath, 'windowsOptions', 'hostProcess'], 'the pod must not be a Windows HostProcess pod');
  for (const v of containers) {
    if (sc(v).windowsOptions?.hostProcess === true) add('hostProcess', scPath(v, 'windowsOptions', 'hostProcess'), `${label(v)} must not be a HostProcess container`);
  }

  // host namespaces
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec?.[field] === true) add('hostNamespaces', ['spec', field], `${field} must not be true`);
  }

  // privileged
  for (const v of containers) {
    if (sc(v).privileged === true) add('privileged', scPath(v, 'privileged'), `${label(v)} must not be privileged`);
  }

  // capabilities (restricted: drop ALL, add at most NET_BIND_SERVICE; supersedes the baseline list)
  if (linux) {
    for (const v of containers) {
      const caps = sc(v).capabilities;
      if (!(caps?.drop ?? []).includes('ALL')) {
        add('capabilities', scPath(v, 'capabilities', 'drop'), `${label(v)} must drop capability "ALL"`);
      }
      (caps?.add ?? []).forEach((cap, k) => {
        if (cap !== 'NET_BIND_SERVICE') add('capabilities', scPath(v, 'capabilities', 'add', k), `${label(v)} must not add capability "${cap}" (only NET_BIND_SERVICE)`);
      });
    }
  }

  // host ports
  for (const v of containers) {
    (v.container.ports ?? []).forEach((port, k) => {
      if (port.hostPort !== undefined && port.hostPort !== 0) add('hostPorts', [...v.path, 'ports', k, 'hostPort'], `${label(v)} must not use hostPort ${port.hostPort}`);
    });
  }

  // probe and lifecycle hosts (1.34+)
  for (const v of containers) {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      for (const [action, host] of hostsOf(v.container[probe])) {
        add('hostProbesAndHostLifecycle', [...v.path, probe, action, 'host'], `${label(v)} ${probe} must not set ${action}.host (${host})`);
      }
    }
    for (const hook of ['postStart', 'preStop'] as const) {
      for (const [action, host] of hostsOf(v.container.lifecycle?.[hook])) {
        add('hostProbesAndHostLifecycle', [...v.path, 'lifecycle', hook, action, 'host'], `${label(v)} lifecycle.${hook} must not set ${action}.host (${host})`);
      }
    }
  }

  // AppArmor: fields and the legacy per-container annotations
  const badAppArmor = (type: string | undefined) => type !== undefined && !ALLOWED_PROFILE_TYPES.has(type);
  if (badAppArmor(podSc.appArmorProfile?.type)) add('appArmor', [...podScPath, 'appArmorProfile', 'type'], `AppArmor profile ${podSc.appArmorProfile?.type} is not allowed`);
  for (const v of containers) {
    const type = sc(v).appArmorProfile?.type;
    if (badAppArmor(type)) add('appArmor', scPath(v, 'appArmorProfile', 'type'), `${label(v)} AppArmor profile ${type} is not allowed`);
  }
  for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(value === '' || value === 'runtime/default' || value.startsWith('localhost/'))) {
      add('appArmor', ['metadata', 'annotations', key], `AppArmor annotation ${key}=${value} is not allowed`);
    }
  }

  // SELinux
  const seLinuxProblems = (o: V1SecurityContext['seLinuxOptions']): string[] => {
    if (o === undefined) return [];
    const out: string[] = [];
    if (!ALLOWED_SELINUX_TYPES.has(o.type ?? '')) out.push(`type ${o.type}`);
    if ((o.user ?? '') !== '') out.push('user');
    if ((o.role ?? '') !== '') out.push('role');
    return out;
  };
  const podSeLinux = seLinuxProblems(podSc.seLinuxOptions);
  if (podSeLinux.length > 0) add('seLinux', [...podScPath, 'seLinuxOptions'], `seLinuxOptions must not set ${podSeLinux.join(', ')}`);
  for (const v of containers) {
    const problems = seLinuxProblems(sc(v).seLinuxOptions);
    if (problems.length > 0) add('seLinux', scPath(v, 'seLinuxOptions'), `${label(v)} seLinuxOptions must not set ${problems.join(', ')}`);
  }

  // /proc mount
  for (const v of containers) {
    const pm = sc(v).procMount;
    if (pm !== undefined && pm !== 'Default') add('procMount', scPath(v, 'procMount'), `${label(v)} procMount must be Default, not ${pm}`);
  }

  // sysctls
  (podSc.sysctls ?? []).forEach((s, k) => {
    if (!ALLOWED_SYSCTLS.has(s.name)) add('sysctls', [...podScPath, 'sysctls', k, 'name'], `sysctl ${s.name} is not in the safe set`);
  });

  // volume types (also covers hostPath)
  (spec?.volumes ?? []).forEach((volume, k) => {
    const v = volume as unknown as Record<string, unknown>;
    if (!ALLOWED_VOLUME_SOURCES.some((src) => v[src] !== undefined && v[src] !== null)) {
      const kind = Object.keys(v).filter((key) => key !== 'name').join(', ') || 'none';
      add('restrictedVolumes', ['spec', 'volumes', k], `volume "${volume.name}" uses a restricted volume type (${kind}); allowed: ${ALLOWED_VOLUME_SOURCES.join(', ')}`);
    }
  });

  // privilege escalation: must be explicitly false
  if (linux) {
    for (const v of containers) {
      if (sc(v).allowPrivilegeEscalation !== false) add('allowPrivilegeEscalation', scPath(v, 'allowPrivilegeEscalation'), `${label(v)} must set allowPrivilegeEscalation=false`);
    }
  }

  // running as non-root: pod-level true, or every container true; false anywhere is refused
  if (podSc.runAsNonRoot === false) add('runAsNonRoot', [...podScPath, 'runAsNonRoot'], 'runAsNonRoot must not be false');
  for (const v of containers) {
    const value = sc(v).runAsNonRoot;
    if (value === false) {
      add('runAsNonRoot', scPath(v, 'runAsNonRoot'), `${label(v)} must not set runAsNonRoot=false`);
    } else if (value === undefined && podSc.runAsNonRoot !== true) {
      add('runAsNonRoot', scPath(v, 'runAsNonRoot'), `${label(v)} must set runAsNonRoot=true (the pod does not)`);
    }
  }

  // non-root user
  if (podSc.runAsUser === 0) add('runAsUser', [...podScPath, 'runAsUser'], 'runAsUser must not be 0');
  for (const v of containers) {
    if (sc(v).runAsUser === 0) add('runAsUser', scPath(v, 'runAsUser'), `${label(v)} must not set runAsUser=0`);
  }

  // seccomp: RuntimeDefault or Localhost, at pod level or on every container
  if (linux) {
    const podType = podSc.seccompProfile?.type;
    if (podType !== undefined && !ALLOWED_PROFILE_TYPES.has(podType)) add('seccomp', [...podScPath, 'seccompProfile', 'type'], `seccompProfile ${podType} is not allowed`);
    for (const v of containers) {
      const type = sc(v).seccompProfile?.type;
      if (type !== undefined && !ALLOWED_PROFILE_TYPES.has(type)) {
        add('seccomp', scPath(v, 'seccompProfile', 'type'), `${label(v)} seccompProfile ${type} is not allowed`);
      } else if (type === undefined && podType === undefined) {
        add('seccomp', scPath(v, 'seccompProfile', 'type'), `${label(v)} must set seccompProfile RuntimeDefault or Localhost (the pod does not)`);
      }
    }
  }

  return issues;
}

function hostsOf(handler: V1Probe | V1LifecycleHandler | undefined): Array<[string, string]> {
  if (handler === undefined) return [];
  const out: Array<[string, string]> = [];
  if ((handler.httpGet?.host ?? '') !== '') out.push(['httpGet', handler.httpGet?.host ?? '']);
  const tcp = (handler as { tcpSocket?: { host?: string } }).tcpSocket;
  if ((tcp?.host ?? '') !== '') out.push(['tcpSocket', tcp?.host ?? '']);
  return out;
}
