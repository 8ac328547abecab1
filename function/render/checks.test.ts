import { describe, expect, it } from 'vitest';
import { checkConnectorFlavors, checkRender, checkRestrictedProfile } from './checks.js';
import { deepFreeze, makeActor, makeInput, weights } from './fixtures.testkit.js';

const mount = (name: string, image: string, extra: object = {}) => ({ name, mount: { path: `/state/${name}` }, connector: { image, ...extra } });

describe('checkConnectorFlavors', () => {
  it('refuses key-value connectors, at the field that selects them', () => {
    const actor = makeActor({
      stateProxy: [
        weights,
        mount('kv', 'ghcr.io/deliveryhero/asya-state-proxy-s3-kv:v1'),
        mount('pg', 'ghcr.io/deliveryhero/asya-state-proxy:v1', { env: [{ name: 'ASYA_CONNECTOR', value: 'pg' }] }),
        mount('custom', 'ghcr.io/acme/connector:v1'),
      ],
    });
    expect(checkConnectorFlavors(actor).map((i) => [i.rule, i.path])).toEqual([
      ['connector-flavor', ['spec', 'stateProxy', 1, 'connector', 'image']],
      ['connector-flavor', ['spec', 'stateProxy', 2, 'connector', 'env', 0, 'value']],
    ]);
  });
});

describe('checkRestrictedProfile', () => {
  const input = makeInput({ securityProfile: 'restricted' });

  it('is empty for the default profile and for a compliant actor', () => {
    const risky = makeActor({ sidecars: [{ name: 'x', image: 'x', securityContext: { privileged: true } }] });
    expect(checkRestrictedProfile(risky, makeInput())).toEqual([]);
    expect(checkRestrictedProfile(makeActor({ stateProxy: [weights], sidecars: [{ name: 'x', image: 'x' }] }), input)).toEqual([]);
  });

  it('maps each violation to the AsyncActor field that causes it', () => {
    const actor = deepFreeze(
      makeActor({
        sidecars: [{ name: 'debug', image: 'x', securityContext: { privileged: true } }],
        initContainers: [{ name: 'setup', image: 'x', securityContext: { runAsUser: 0 } }],
        volumes: [{ name: 'host', hostPath: { path: '/var/lib' } }],
        stateProxy: [{ ...weights, connector: { ...weights.connector, securityContext: { allowPrivilegeEscalation: true, runAsUser: 1234 } } }],
      }),
    );
    const issues = checkRestrictedProfile(actor, input);
    expect(issues.map((i) => [i.rule, i.path])).toEqual([
      ['pss-restricted:privileged', ['spec', 'sidecars', 0, 'securityContext', 'privileged']],
      ['pss-restricted:restrictedVolumes', ['spec', 'volumes', 0]],
      ['pss-restricted:allowPrivilegeEscalation', ['spec', 'stateProxy', 0, 'connector', 'securityContext', 'allowPrivilegeEscalation']],
      ['pss-restricted:runAsUser', ['spec', 'initContainers', 0, 'securityContext', 'runAsUser']],
      ['connector-shared-user', ['spec', 'stateProxy', 0, 'connector', 'securityContext', 'runAsUser']],
    ]);
    expect(issues.every((i) => i.message.length > 0)).toBe(true);
  });
});

describe('checkRender', () => {
  it('collects image policy, flavour and restricted-profile refusals in that order', () => {
    const actor = makeActor({
      // allowPrivilegeEscalation: true too, as the schema demands of a privileged connector.
      stateProxy: [mount('kv', 'docker.io/evil/asya-state-proxy-pvc-kv:v1', { securityContext: { privileged: true, allowPrivilegeEscalation: true } })],
    });
    const issues = checkRender(actor, makeInput({ securityProfile: 'restricted', allowedConnectorImages: ['ghcr.io/deliveryhero/'] }));
    expect(issues.map((i) => i.rule)).toEqual(['connector-image-policy', 'connector-flavor', 'pss-restricted:privileged', 'pss-restricted:allowPrivilegeEscalation']);
  });
});
