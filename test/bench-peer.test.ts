/**
 * The benchmark compares our function with the real function-go-templating v0.12.2 (bench/peer.ts)
 * running our hand-written template (bench/peer/template.yaml). The comparison is only fair if
 * both render the same Deployment, so this runs both on the benchmark actors and requires equal
 * Deployments after normalising key order.
 *
 * Opt-in, because the peer is a Go build (minutes and hundreds of MiB of Go caches on a cold HOME)
 * and `npm test` must need nothing but Node: it runs when the peer binary is already installed
 * (scripts/install-peer-go-templating.sh, which `.ci/run` calls) or when ASYA_PEER_TESTS=1, which
 * builds it. With ASYA_PEER_TESTS=1 (as in CI) a missing source archive is a failure, not a skip.
 */
import { RunFunctionRequest, RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortKeys, withoutEmptyAnnotations } from '../bench/compare.js';
import { BENCH_INPUT, benchActor, benchRequest } from '../bench/fixtures.js';
import { ensurePeerBinary, installedPeerPath, peerInput, peerInstalled } from '../bench/peer.js';
import { replaceBenchSection } from '../bench/readme.js';
import { type Spawned, spawnFunction } from '../bench/spawn.js';
import { runFunction } from '../function/handler.js';
import { RawFunctionClient } from './support/grpc-client.js';

const NAME = 'the benchmark peer (function-go-templating v0.12.2) renders the same Deployment as our function';
type Obj = Record<string, unknown>;

function ours(xr: Obj): Obj {
  const rsp = runFunction(benchRequest(xr, BENCH_INPUT));
  expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
  return rsp.desired?.resources['deployment']?.resource as Obj;
}

const optedIn = process.env['ASYA_PEER_TESTS'] === '1';

function describePeer(body: () => void): void {
  if (optedIn || peerInstalled()) {
    describe(NAME, body);
    return;
  }
  const why = `${installedPeerPath()} is not installed; run scripts/install-peer-go-templating.sh (a Go build) or set ASYA_PEER_TESTS=1`;
  console.warn(`SKIPPED "${NAME}": ${why}`);
  describe.skip(NAME, () => {
    it('needs the peer binary', () => undefined);
  });
}

describePeer(() => {
  let peer: Spawned;
  let client: RawFunctionClient;

  beforeAll(async () => {
    const bin = ensurePeerBinary();
    if (!bin.ok) throw new Error(`ASYA_PEER_TESTS=1 but the peer is unavailable: ${bin.why}`);
    const probe = RunFunctionRequest.encode(benchRequest(benchActor(1), peerInput())).finish();
    peer = await spawnFunction(bin.path, [], probe);
    client = new RawFunctionClient(peer.address);
  }, 600_000);
  afterAll(async () => {
    client?.close();
    await peer?.stop();
  });

  async function theirs(xr: Obj): Promise<Obj> {
    const bytes = await client.callBytes(RunFunctionRequest.encode(benchRequest(xr, peerInput())).finish());
    const rsp = RunFunctionResponse.decode(bytes);
    expect(rsp.results).toEqual([]);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment']);
    return withoutEmptyAnnotations(rsp.desired?.resources['deployment']?.resource as Obj);
  }

  it.each([1, 8, 32])('%i mounts', async (mounts) => {
    const xr = benchActor(mounts);
    const mine = ours(xr);
    const peers = await theirs(xr);
    // Key order differs (Go maps); everything else must be equal, lists in the same order.
    expect(JSON.stringify(sortKeys(peers), null, 1)).toBe(JSON.stringify(sortKeys(mine), null, 1));
    const pod = (mine['spec'] as Obj)['template'] as Obj;
    const spec = pod['spec'] as { initContainers: Obj[]; containers: Obj[] };
    expect(spec.initContainers).toHaveLength(mounts);
    expect(spec.containers.map((c) => c['name'])).toEqual(['asya-runtime', 'asya-sidecar']);
  });

  it('also without mounts and with scaling disabled (replicas rendered)', async () => {
    const xr = benchActor(0);
    (xr['spec'] as Obj)['scaling'] = { enabled: false };
    (xr['spec'] as Obj)['replicas'] = 3;
    const mine = ours(xr);
    expect((mine['spec'] as Obj)['replicas']).toBe(3);
    expect(sortKeys(await theirs(xr))).toEqual(sortKeys(mine));
  });
});

describe('npm run bench -- --write-readme', () => {
  const report = 'figures';
  it('adds a Performance section with the markers at the end when absent', () => {
    expect(replaceBenchSection('# Title\n\ntext\n', report)).toBe('# Title\n\ntext\n\n## Performance\n\n<!-- bench:start -->\nfigures\n<!-- bench:end -->\n');
  });
  it('replaces only the text between the markers', () => {
    const readme = '# T\n\n## Performance\n\nintro\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\n## After\n';
    expect(replaceBenchSection(readme, report)).toBe('# T\n\n## Performance\n\nintro\n\n<!-- bench:start -->\nfigures\n<!-- bench:end -->\n\n## After\n');
    expect(replaceBenchSection(replaceBenchSection(readme, report), report)).toBe(replaceBenchSection(readme, report));
  });
});
