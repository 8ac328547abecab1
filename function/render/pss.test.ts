import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderDeployment } from './deployment.js';
import { cache, makeActor, makeInput, weights } from './fixtures.testkit.js';
import { checkRestricted } from './pss.js';

const restricted = (extra: object = {}) => makeInput({ securityProfile: 'restricted', ...extra });

function compliantPod(): V1PodTemplateSpec {
  const actor = makeActor({
    stateProxy: [weights, cache],
    initContainers: [{ name: 'fetch', image: 'busybox', command: ['true'] }],
    sidecars: [{ name: 'metrics', image: 'm', ports: [{ containerPort: 9102 }] }],
    volumes: [
      { name: 'models', persistentVolumeClaim: { claimName: 'models' } },
      { name: 'creds', secret: { secretName: 'creds' } },
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'proj', projected: { sources: [] } },
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
    ],
  });
  return structuredClone(renderDeployment(actor, restricted({ sidecar: { image: 's' } })).spec!.template);
}

describe('rendered pods under the restricted profile pass the standard', () => {
  const matrix = [
    { mounts: [], mode: 'native', sidecar: false },
    { mounts: [weights], mode: 'native', sidecar: true },
    { mounts: [weights, cache], mode: 'containers', sidecar: true },
    { mounts: [cache], mode: 'containers', sidecar: false },
  ] as const;
  it.each(matrix)('%j', ({ mounts, mode, sidecar }) => {
    const actor = makeActor({
      stateProxy: [...mounts],
      initContainers: [{ name: 'fetch', image: 'busybox' }],
      sidecars: [{ name: 'metrics', image: 'm' }],
    });
    const input = restricted({ sidecarMode: mode, ...(sidecar ? { sidecar: { image: 's' } } : {}) });
    expect(checkRestricted(renderDeployment(actor, input).spec!.template)).toEqual([]);
  });

  it('the richer fixture passes too', () => {
    expect(checkRestricted(compliantPod())).toEqual([]);
  });

  it('the default profile does not (so the checker is not vacuous)', () => {
    const rules = new Set(checkRestricted(renderDeployment(makeActor({ stateProxy: [weights] }), makeInput()).spec!.template).map((i) => i.rule));
    expect([...rules].sort()).toEqual(['pss-restricted:allowPrivilegeEscalation', 'pss-restricted:capabilities', 'pss-restricted:runAsNonRoot', 'pss-restricted:seccomp']);
  });
});

type Mutation = (p: V1PodTemplateSpec) => void;
const spec = (p: V1PodTemplateSpec) => p.spec!;
const runtime = (p: V1PodTemplateSpec) => spec(p).containers[0]!;
const connector = (p: V1PodTemplateSpec) => spec(p).initContainers!.find((c) => c.name === 'asya-state-proxy-weights')!;
const userInit = (p: V1PodTemplateSpec) => spec(p).initContainers![0]!;
const sc = (c: { securityContext?: object }) => (c.securityContext ??= {}) as Record<string, unknown>;
const psc = (p: V1PodTemplateSpec) => (spec(p).securityContext ??= {}) as Record<string, unknown>;

describe('each restricted rule catches a violating pod', () => {
  const cases: Array<[string, Mutation, string, (string | number)[]]> = [
    ['pod hostProcess', (p) => void (psc(p)['windowsOptions'] = { hostProcess: true }), 'hostProcess', ['spec', 'securityContext', 'windowsOptions', 'hostProcess']],
    ['container hostProcess', (p) => void (sc(runtime(p))['windowsOptions'] = { hostProcess: true }), 'hostProcess', ['spec', 'containers', 0, 'securityContext', 'windowsOptions', 'hostProcess']],
    ['hostNetwork', (p) => void (spec(p).hostNetwork = true), 'hostNamespaces', ['spec', 'hostNetwork']],
    ['hostPID', (p) => void (spec(p).hostPID = true), 'hostNamespaces', ['spec', 'hostPID']],
    ['hostIPC', (p) => void (spec(p).hostIPC = true), 'hostNamespaces', ['spec', 'hostIPC']],
    ['privileged init container', (p) => void (sc(userInit(p))['privileged'] = true), 'privileged', ['spec', 'initContainers', 0, 'securityContext', 'privileged']],
    ['capability added', (p) => void (sc(connector(p))['capabilities'] = { drop: ['ALL'], add: ['SYS_ADMIN'] }), 'capabilities', ['spec', 'initContainers', 1, 'securityContext', 'capabilities', 'add', 0]],
    ['ALL not dropped', (p) => void (sc(connector(p))['capabilities'] = { drop: ['NET_RAW'] }), 'capabilities', ['spec', 'initContainers', 1, 'securityContext', 'capabilities', 'drop']],
    ['hostPath volume', (p) => void spec(p).volumes!.push({ name: 'h', hostPath: { path: '/' } }), 'restrictedVolumes', ['spec', 'volumes', 11]],
    ['nfs volume', (p) => void spec(p).volumes!.push({ name: 'n', nfs: { server: 's', path: '/' } }), 'restrictedVolumes', ['spec', 'volumes', 11]],
    ['host port', (p) => void (spec(p).containers.find((c) => c.name === 'metrics')!.ports = [{ containerPort: 80, hostPort: 80 }]), 'hostPorts', ['spec', 'containers', 2, 'ports', 0, 'hostPort']],
    ['probe host', (p) => void (runtime(p).readinessProbe = { httpGet: { port: 80, host: '10.0.0.1' } }), 'hostProbesAndHostLifecycle', ['spec', 'containers', 0, 'readinessProbe', 'httpGet', 'host']],
    ['lifecycle host', (p) => void (runtime(p).lifecycle = { preStop: { tcpSocket: { port: 80, host: 'x' } } as never }), 'hostProbesAndHostLifecycle', ['spec', 'containers', 0, 'lifecycle', 'preStop', 'tcpSocket', 'host']],
    ['AppArmor unconfined', (p) => void (sc(runtime(p))['appArmorProfile'] = { type: 'Unconfined' }), 'appArmor', ['spec', 'containers', 0, 'securityContext', 'appArmorProfile', 'type']],
    ['AppArmor annotation', (p) => void ((p.metadata ??= {}).annotations = { 'container.apparmor.security.beta.kubernetes.io/asya-runtime': 'unconfined' }), 'appArmor', ['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/asya-runtime']],
    ['SELinux type', (p) => void (psc(p)['seLinuxOptions'] = { type: 'spc_t' }), 'seLinux', ['spec', 'securityContext', 'seLinuxOptions']],
    ['SELinux user', (p) => void (sc(runtime(p))['seLinuxOptions'] = { user: 'root' }), 'seLinux', ['spec', 'containers', 0, 'securityContext', 'seLinuxOptions']],
    ['/proc unmasked', (p) => void (sc(runtime(p))['procMount'] = 'Unmasked'), 'procMount', ['spec', 'containers', 0, 'securityContext', 'procMount']],
    ['unsafe sysctl', (p) => void (psc(p)['sysctls'] = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '1' }]), 'sysctls', ['spec', 'securityContext', 'sysctls', 1, 'name']],
    ['privilege escalation allowed', (p) => void (sc(connector(p))['allowPrivilegeEscalation'] = true), 'allowPrivilegeEscalation', ['spec', 'initContainers', 1, 'securityContext', 'allowPrivilegeEscalation']],
    ['privilege escalation unset', (p) => void delete sc(userInit(p))['allowPrivilegeEscalation'], 'allowPrivilegeEscalation', ['spec', 'initContainers', 0, 'securityContext', 'allowPrivilegeEscalation']],
    ['pod runAsNonRoot false', (p) => void (psc(p)['runAsNonRoot'] = false), 'runAsNonRoot', ['spec', 'securityContext', 'runAsNonRoot']],
    ['container runAsNonRoot false', (p) => void (sc(runtime(p))['runAsNonRoot'] = false), 'runAsNonRoot', ['spec', 'containers', 0, 'securityContext', 'runAsNonRoot']],
    ['runAsNonRoot nowhere', (p) => void delete psc(p)['runAsNonRoot'], 'runAsNonRoot', ['spec', 'initContainers', 0, 'securityContext', 'runAsNonRoot']],
    ['pod root user', (p) => void (psc(p)['runAsUser'] = 0), 'runAsUser', ['spec', 'securityContext', 'runAsUser']],
    ['container root user', (p) => void (sc(connector(p))['runAsUser'] = 0), 'runAsUser', ['spec', 'initContainers', 1, 'securityContext', 'runAsUser']],
    ['seccomp unconfined', (p) => void (sc(connector(p))['seccompProfile'] = { type: 'Unconfined' }), 'seccomp', ['spec', 'initContainers', 1, 'securityContext', 'seccompProfile', 'type']],
    ['seccomp nowhere', (p) => void delete psc(p)['seccompProfile'], 'seccomp', ['spec', 'initContainers', 0, 'securityContext', 'seccompProfile', 'type']],
  ];

  it.each(cases)('%s', (_name, mutate, check, path) => {
    const pod = compliantPod();
    mutate(pod);
    const issues = checkRestricted(pod);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.rule === `pss-restricted:${check}`)).toBe(true);
    expect(issues.map((i) => i.path)).toContainEqual(path);
  });

  it('skips the Linux-only controls for Windows pods, like PSA', () => {
    const pod = compliantPod();
    spec(pod).os = { name: 'windows' };
    sc(runtime(pod))['allowPrivilegeEscalation'] = true;
    delete psc(pod)['seccompProfile'];
    expect(checkRestricted(pod)).toEqual([]);
  });
});
