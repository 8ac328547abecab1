/**
 * Security review of what we render, as tests (issue 5, item 5):
 * - under `securityProfile: restricted` every rendered pod passes every check of the Kubernetes
 *   "restricted" Pod Security Standard (fresh renders and earlier steps' Deployments alike);
 * - every place a user-controlled string lands in the pod (container and volume names, the
 *   runtime command, probe commands, ASYA_STATE_PROXY_MOUNTS, ASYA_HANDLER, CONNECTOR_SOCKET, the
 *   Deployment name) only ever receives a validated value, however hostile the input;
 * - the allowed-image policy cannot be bypassed by tags, digests, case, Docker Hub spellings,
 *   `..`, `//`, look-alike characters or registry tricks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runFunction } from '../../function/handler.js';
import { checkRestricted, imageAllowed, parsePolicyEntry, type PolicyEntry } from '../../function/render/index.js';
import { checkSource } from '../../function/validate/check.js';
import { defaultValidator } from '../../function/validate/schema-file.js';
import { stepInput, validActor } from '../support/actor-arbitraries.js';
import { TARGETS, hostileSinkViolations, hostileString, sinkViolations } from '../support/sinks.js';
import { fcParams } from '../support/fc.js';
import { buildRequest, fatals, podOf, serve } from '../support/invariants.js';
import { actorDoc, baseSpec, request } from '../support/requests.js';

describe('restricted Pod Security Standard', () => {
  const restricted = stepInput.map((i) => ({ ...i, securityProfile: 'restricted' }));

  it('every fresh render passes every check of checkRestricted', () => {
    fc.assert(
      fc.property(validActor(5), restricted, (gen, input) => {
        const { rsp } = serve(buildRequest({ xr: gen.xr, input }));
        expect(fatals(rsp)).toEqual([]);
        expect(checkRestricted(podOf(rsp) as never)).toEqual([]);
      }),
      fcParams(150),
    );
  });

  it('so does an earlier step\'s Deployment the state proxy is added to', () => {
    fc.assert(
      fc.property(validActor(4), restricted, fc.boolean(), (gen, input, withInit) => {
        const deployment = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'earlier' },
          spec: {
            template: {
              spec: {
                ...(withInit ? { initContainers: [{ name: 'fetch', image: 'busybox:1' }] } : {}),
                containers: [{ name: 'asya-runtime', image: 'x:1' }, { name: 'exporter', image: 'y:1', ports: [{ containerPort: 9100 }] }],
                volumes: [{ name: 'scratch', emptyDir: {} }],
              },
            },
          },
        };
        const { rsp } = serve(buildRequest({ xr: gen.xr, input, desired: { deployment } }));
        expect(fatals(rsp)).toEqual([]);
        expect(checkRestricted(podOf(rsp) as never)).toEqual([]);
      }),
      fcParams(100),
    );
  });
});

describe('user-controlled values reach pod sinks only after validation', () => {
  it('for random valid actors, every sink holds a constrained value', () => {
    fc.assert(
      fc.property(validActor(5), fc.option(stepInput, { nil: undefined }), (gen, input) => {
        const { rsp } = serve(buildRequest({ xr: gen.xr, input }));
        expect(fatals(rsp)).toEqual([]);
        expect(sinkViolations(rsp.desired?.resources['deployment']?.resource as Record<string, unknown>)).toEqual([]);
      }),
      fcParams(150),
    );
  });

  it('a hostile string in any sink field is either refused with a FATAL naming that field, or lands only where it is safe', () => {
    fc.assert(
      fc.property(validActor(2), fc.constantFrom(...TARGETS), hostileString, (gen, target, value) => {
        expect(hostileSinkViolations(gen.xr, target, value)).toEqual([]);
      }),
      fcParams(400),
    );
  });
});

describe('pythonExecutable and handler (corpus-style: through `validate` and RunFunction)', () => {
  const validator = defaultValidator();
  const yamlDoc = (field: 'pythonExecutable' | 'handler', value: string) =>
    [
      'apiVersion: asya.sh/v1alpha1',
      'kind: AsyncActor',
      'metadata:',
      '  name: command-check',
      '  namespace: default',
      'spec:',
      '  image: ghcr.io/example/actor:1.0.0',
      `  handler: ${field === 'handler' ? JSON.stringify(value) : 'handler.process'}`,
      ...(field === 'pythonExecutable' ? [`  pythonExecutable: ${JSON.stringify(value)}`] : []),
      '',
    ].join('\n');

  it.each([
    ['python3', true],
    ['python3.11', true],
    ['pypy3', true],
    ['/usr/local/bin/python3', true],
    ['/opt/venv-3.12/bin/python', true],
    ['python3 -X dev', false],
    [' python3', false],
    ['python3\t', false],
    ['python3\u0000', false],
    ['/usr/bin/python3\n', false],
    ['python3;rm -rf /', false],
    ['$(which python3)', false],
    ['bin/python', false],
    ['./python', false],
    ['/usr/bin/', false],
    ['-c', false],
    ['pyth\u202eon', false],
    [`/${'p'.repeat(300)}`, false],
  ])('pythonExecutable %j valid: %s', (value, ok) => {
    const report = checkSource(yamlDoc('pythonExecutable', value), 'doc.yaml', validator);
    const rsp = runFunction(request({ xr: actorDoc({ ...baseSpec, pythonExecutable: value }) }));
    if (ok) {
      expect(report.findings).toEqual([]);
      expect(fatals(rsp)).toEqual([]);
    } else {
      expect(report.findings.map((f) => `${f.rule} ${f.path}`)).toEqual(['python-executable spec.pythonExecutable']);
      expect(fatals(rsp)[0]?.message).toMatch(/spec\.pythonExecutable: pythonExecutable .* must be an executable name/);
    }
  });

  it.each([
    ['handler.process', true],
    ['inference.Inference.process', true],
    ['pkg.sub_module.Class.method', true],
    ['módulo.función', true],
    ['handler', false],
    ['handler.', false],
    ['.process', false],
    ['handler..process', false],
    ['handler.process ', false],
    ['handler .process', false],
    ['handler.process\u0000', false],
    ['handler.pro\ncess', false],
    ['handler.\u202eprocess', false],
    ['handler.pro\u200bcess', false],
    ['handler.pro\u00a0cess', false],
    [`m.${'x'.repeat(600)}`, false],
  ])('handler %j valid: %s', (value, ok) => {
    const report = checkSource(yamlDoc('handler', value), 'doc.yaml', validator);
    const rsp = runFunction(request({ xr: actorDoc({ ...baseSpec, handler: value }) }));
    if (ok) {
      expect(report.findings).toEqual([]);
      expect(fatals(rsp)).toEqual([]);
    } else {
      expect(report.findings.map((f) => `${f.rule} ${f.path}`)).toEqual(['handler-format spec.handler']);
      expect(fatals(rsp)[0]?.message).toMatch(/spec\.handler: handler /);
    }
  });

  it.each([
    ['sidecars', 'Envoy'],
    ['sidecars', 'envoy proxy'],
    ['initContainers', 'fetch_data'],
    ['initContainers', 'x\u0000'],
    ['volumes', 'Data'],
    ['volumes', 'data.cache'],
  ])('a user %s name %j is refused at its field', (field, name) => {
    const item = field === 'volumes' ? { name, emptyDir: {} } : { name, image: 'busybox:1' };
    const rsp = runFunction(request({ xr: actorDoc({ ...baseSpec, [field]: [item] }) }));
    expect(fatals(rsp)[0]?.message).toContain(`spec.${field}[0].name: ${field === 'volumes' ? 'volume' : 'container'} name`);
  });

  it('duplicate user volume names are refused (the pod would be invalid)', () => {
    const rsp = runFunction(request({ xr: actorDoc({ ...baseSpec, volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }] }) }));
    expect(fatals(rsp)[0]?.message).toContain('spec.volumes[1].name: duplicate volume name data');
  });
});

describe('allowed-image policy cannot be bypassed', () => {
  const policy = (...raw: string[]): PolicyEntry[] =>
    raw.map((r) => {
      const e = parsePolicyEntry(r);
      if ('invalid' in e) throw new Error(`${r}: ${e.invalid}`);
      return e;
    });
  const family = policy('ghcr.io/deliveryhero/asya-state-proxy-');
  const exact = policy('ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww');
  const hub = policy('redis');
  const digest = `sha256:${'c'.repeat(64)}`;

  it.each<[string, PolicyEntry[], string, boolean]>([
    // tags and digests never change the repository
    ['tag', family, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1', true],
    ['digest', family, `ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww@${digest}`, true],
    ['tag and digest', exact, `ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1@${digest}`, true],
    ['a tag that spells an allowed path', family, 'ghcr.io/evil/x:deliveryhero/asya-state-proxy-s3', false],
    ['a digest hiding another repository', exact, `ghcr.io/evil/x@sha256:${'d'.repeat(64)}#ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww`, false],
    ['an allowed name in the tag', exact, 'ghcr.io/evil/asya:ghcr.io-deliveryhero-asya-state-proxy-s3-buffered-lww', false],
    // case
    ['upper-case registry (DNS is case-insensitive)', family, 'GHCR.IO/deliveryhero/asya-state-proxy-s3-buffered-lww:v1', true],
    ['upper-case path (not a valid reference)', family, 'ghcr.io/DeliveryHero/asya-state-proxy-s3-buffered-lww:v1', false],
    ['upper-case suffix', exact, 'ghcr.io/deliveryhero/asya-state-proxy-S3-buffered-lww', false],
    ['Kelvin sign K (lower-cases to k)', policy('ghcr.io/k/'), 'ghcr.io/\u212a/x', false],
    ['Cyrillic look-alike in the path', family, 'ghcr.io/deliveryh\u0435ro/asya-state-proxy-s3-buffered-lww', false],
    ['Cyrillic look-alike in the registry', family, 'ghcr.i\u043e/deliveryhero/asya-state-proxy-s3-buffered-lww', false],
    // Docker Hub spellings
    ['short official image', hub, 'redis:7', true],
    ['library/ form', hub, 'library/redis', true],
    ['docker.io/ form', hub, 'docker.io/redis', true],
    ['docker.io/library/ form', hub, 'docker.io/library/redis:7', true],
    ['index.docker.io form', hub, `index.docker.io/library/redis@${digest}`, true],
    ['registry-1.docker.io is another name (refused, fail closed)', hub, 'registry-1.docker.io/library/redis', false],
    ['a user namespace named like the image', hub, 'docker.io/redis/redis', false],
    ['a look-alike official image', hub, 'redis-evil', false],
    ['a registry host named like Docker Hub', hub, 'docker.io.evil.com/library/redis', false],
    ['an "official" image on another registry', hub, 'evil.io/library/redis', false],
    // path tricks
    ['.. in the path', family, 'ghcr.io/deliveryhero/asya-state-proxy-s3/../../evil/x', false],
    ['.. after the prefix', exact, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww/../evil', false],
    ['// in the path', family, 'ghcr.io/deliveryhero//asya-state-proxy-s3-buffered-lww', false],
    ['leading /', family, '/ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww', false],
    ['trailing /', exact, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww/', false],
    ['. component', family, 'ghcr.io/deliveryhero/./asya-state-proxy-s3-buffered-lww', false],
    ['percent-encoding', family, 'ghcr.io/deliveryhero%2fasya-state-proxy-s3', false],
    ['backslash', family, 'ghcr.io\\deliveryhero/asya-state-proxy-s3', false],
    // registry tricks
    ['the allowed registry as a path under another', family, 'evil.io/ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww', false],
    ['userinfo', family, 'ghcr.io@evil.io/deliveryhero/asya-state-proxy-s3', false],
    ['a scheme', family, 'https://ghcr.io/deliveryhero/asya-state-proxy-s3', false],
    ['an explicit port', family, 'ghcr.io:443/deliveryhero/asya-state-proxy-s3-buffered-lww', false],
    ['a trailing-dot FQDN', family, 'ghcr.io./deliveryhero/asya-state-proxy-s3-buffered-lww', false],
    ['a sibling organisation', policy('ghcr.io/deliveryhero'), 'ghcr.io/deliveryhero-evil/asya-state-proxy-s3', false],
    ['a longer repository name', exact, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww-evil', false],
    // encodings and whitespace
    ['whitespace around', family, ' ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww', false],
    ['a newline', family, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww\n', false],
    ['NUL', family, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww\u0000evil', false],
    ['a zero-width space', family, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered\u200b-lww', false],
    ['fullwidth characters', family, 'ghcr.io/deliveryhero/asya-state-proxy-\uff53\uff13', false],
  ])('%s: %s', (_what, entries, image, allowed) => {
    expect(imageAllowed(image, entries).allowed).toBe(allowed);
  });

  it.each([
    ['a tag in an entry', 'ghcr.io/deliveryhero/asya-state-proxy-s3:v1'],
    ['a digest in an entry', `ghcr.io/deliveryhero/asya-state-proxy-s3@sha256:${'a'.repeat(64)}`],
    ['// in an entry', 'ghcr.io//deliveryhero/'],
    ['whitespace inside an entry', 'ghcr.io/delivery hero/'],
    ['NUL in an entry', 'ghcr.io/deliveryhero\u0000/'],
  ])('refuses %s', (_what, entry) => {
    expect(parsePolicyEntry(entry)).toHaveProperty('invalid');
  });

  it('entries are case-insensitive and a .. entry matches nothing', () => {
    expect(imageAllowed('ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1', policy('GHCR.IO/DeliveryHero/Asya-State-Proxy-')).allowed).toBe(true);
    for (const image of ['ghcr.io/x', 'ghcr.io/a/../x', 'ghcr.io/../x']) expect(imageAllowed(image, policy('ghcr.io/../')).allowed).toBe(false);
  });

  it('property: an image the policy allows always parses to a repository under an allowed entry', () => {
    const component = fc.oneof(fc.constantFrom('deliveryhero', 'asya-state-proxy-s3-buffered-lww', 'library', 'evil', '..', '', 'A', '.'), fc.string({ maxLength: 6 }));
    const image = fc
      .tuple(fc.constantFrom('ghcr.io', 'GHCR.io', 'docker.io', 'index.docker.io', 'evil.io', 'localhost:5000', ''), fc.array(component, { minLength: 1, maxLength: 4 }), fc.constantFrom('', ':v1', `@${digest}`, ':v1@sha256:x'))
      .map(([reg, path, suffix]) => `${reg === '' ? '' : `${reg}/`}${path.join('/')}${suffix}`);
    const entries = policy('ghcr.io/deliveryhero/asya-state-proxy-', 'docker.io/library/redis');
    fc.assert(
      fc.property(image, (img) => {
        if (!imageAllowed(img, entries).allowed) return;
        const lower = img.toLowerCase().replace(/^index\.docker\.io\//, 'docker.io/');
        const repo = lower.split('@')[0]?.replace(/:[^/]*$/, '') ?? '';
        expect(repo.startsWith('ghcr.io/deliveryhero/asya-state-proxy-') || ['redis', 'library/redis', 'docker.io/redis', 'docker.io/library/redis'].includes(repo)).toBe(true);
        expect(repo).not.toMatch(/\/\.\.?(\/|$)|\/\//);
      }),
      fcParams(1_000),
    );
  });
});
