/**
 * The function over real gRPC, insecure and with TLS: what Crossplane sees on the wire.
 */
import * as grpc from '@grpc/grpc-js';
import { Ready, RunFunctionRequest, RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bind, createServer, DEFAULT_MAX_RECV_BYTES, serverCredentials, StartupError } from '../function/server/server.js';
import { RawFunctionClient } from './support/grpc-client.js';
import { actorDoc, baseSpec, request } from './support/requests.js';
import { makeTlsDir, type TlsDir } from './support/tls.js';

const silent = pino({ level: 'silent' });

async function startServer(opts: { insecure: boolean; tlsServerCertsDir?: string }) {
  const server = createServer({ maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES }, silent);
  const port = await bind(server, '127.0.0.1:0', serverCredentials({ insecure: opts.insecure, tlsServerCertsDir: opts.tlsServerCertsDir ?? '/nonexistent' }));
  return { server, port };
}

const otherStepConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'from-earlier-step', annotations: { 'crossplane.io/composition-resource-name': 'config' } },
  data: { nested: 'value', list: '[1,2,3]' },
};

describe('RunFunction over insecure gRPC', () => {
  let server: grpc.Server;
  let client: RawFunctionClient;

  beforeAll(async () => {
    const started = await startServer({ insecure: true });
    server = started.server;
    client = new RawFunctionClient(`127.0.0.1:${started.port}`);
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('adds the Deployment and keeps every earlier-step resource byte-identical', async () => {
    const req = request({ xr: actorDoc(baseSpec), desired: [otherStepConfigMap] });
    const { rsp } = await client.call(req);
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    const resources = rsp.desired?.resources ?? {};
    expect(Object.keys(resources).sort()).toEqual(['config', 'deployment']);
    expect(resources['config']?.resource).toEqual(otherStepConfigMap);
    const dep = resources['deployment']?.resource as { kind: string; spec: { template: { spec: { initContainers?: { name: string }[] } } } };
    expect(dep.kind).toBe('Deployment');
    expect(dep.spec.template.spec.initContainers?.map((c) => c.name)).toEqual(['asya-state-proxy-weights', 'asya-state-proxy-cache']);
    // Not observed yet: Crossplane must not consider it ready.
    expect(resources['deployment']?.ready).toBe(Ready.READY_FALSE);
  });

  it('answers an invalid actor with one FATAL naming every field, and leaves desired state exactly as sent', async () => {
    const bad = actorDoc({
      ...baseSpec,
      stateProxy: [
        { ...baseSpec.stateProxy[0], mount: { path: '/state/x:y' } },
        { ...baseSpec.stateProxy[1], name: 'weights' },
      ],
    });
    const req = request({ xr: bad, desired: [otherStepConfigMap] });
    const { rsp } = await client.call(req);
    const fatals = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
    expect(fatals).toHaveLength(1);
    expect(fatals[0]?.message).toContain('spec.stateProxy[0].mount.path');
    expect(fatals[0]?.message).toContain('spec.stateProxy[1].name');
    expect(fatals[0]?.reason).toBe('InvalidAsyncActor');
    expect(rsp.desired).toEqual(request({ xr: bad, desired: [otherStepConfigMap] }).desired);
  });

  it('augments a Deployment an earlier step rendered instead of replacing it', async () => {
    const earlier = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'custom', labels: { owner: 'earlier-step' }, annotations: { 'crossplane.io/composition-resource-name': 'deployment' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'custom' } },
        template: {
          metadata: { labels: { app: 'custom' } },
          spec: {
            containers: [
              { name: 'asya-runtime', image: 'earlier/runtime:1', env: [{ name: 'KEEP', value: 'me' }] },
              { name: 'metrics', image: 'earlier/metrics:1' },
            ],
          },
        },
      },
    };
    const { rsp } = await client.call(request({ xr: actorDoc(baseSpec), desired: [earlier] }));
    const dep = rsp.desired?.resources['deployment']?.resource as typeof earlier & {
      spec: { template: { spec: { initContainers?: { name: string }[]; volumes?: { name: string }[] } } };
    };
    expect(dep.metadata.name).toBe('custom');
    expect(dep.metadata.labels).toEqual({ owner: 'earlier-step' });
    expect(dep.spec.replicas).toBe(3);
    const containers = dep.spec.template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['asya-runtime', 'metrics']);
    expect(containers[0]?.image).toBe('earlier/runtime:1');
    expect(containers[0]?.env).toEqual([
      { name: 'KEEP', value: 'me' },
      { name: 'ASYA_STATE_PROXY_MOUNTS', value: 'weights:/state/weights:write=buffered;cache:/state/cache:write=buffered' },
    ]);
    expect(dep.spec.template.spec.initContainers?.map((c) => c.name)).toEqual(['asya-state-proxy-weights', 'asya-state-proxy-cache']);
    expect(dep.spec.template.spec.volumes?.map((v) => v.name)).toEqual(['state-sockets']);
  });

  it('gives byte-identical answers to repeated and concurrent identical requests', async () => {
    const bytes = RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec), desired: [otherStepConfigMap], tag: 'abc' })).finish();
    const first = await client.callBytes(bytes);
    const again = await Promise.all(Array.from({ length: 50 }, () => client.callBytes(bytes)));
    for (const b of again) expect(b.equals(first)).toBe(true);
    expect(RunFunctionResponse.decode(first).meta?.tag).toBe('abc');
  });

  it('answers garbage bytes with a FATAL result (not a transport error) and keeps serving', async () => {
    const bytes = await client.callBytes(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]));
    const garbage = RunFunctionResponse.decode(bytes);
    expect(garbage.results).toHaveLength(1);
    expect(garbage.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL, reason: 'UndecodableRequest' });
    expect(garbage.results[0]?.message).toMatch(/^request could not be decoded: /);
    expect(garbage.desired?.resources).toEqual({});
    const { rsp } = await client.call(request({ xr: actorDoc(baseSpec) }));
    expect(rsp.desired?.resources['deployment']).toBeDefined();
  });
});

describe('RunFunction over TLS', () => {
  let tls: TlsDir;
  let server: grpc.Server;
  let port: number;

  beforeAll(async () => {
    tls = makeTlsDir();
    ({ server, port } = await startServer({ insecure: false, tlsServerCertsDir: tls.dir }));
  });
  afterAll(() => server.forceShutdown());

  it('serves a client that trusts the CA and presents a certificate from it', async () => {
    const client = new RawFunctionClient(`localhost:${port}`, grpc.credentials.createSsl(tls.caCert, tls.client.key, tls.client.cert));
    const { rsp } = await client.call(request({ xr: actorDoc(baseSpec) }));
    client.close();
    expect(rsp.desired?.resources['deployment']).toBeDefined();
  });

  // function-sdk-go: tls.RequireAndVerifyClientCert with the mounted CA.
  it.each([
    ['no client certificate', () => grpc.credentials.createSsl(tls.caCert)],
    ['a client certificate from another CA', () => grpc.credentials.createSsl(tls.caCert, tls.foreignClient.key, tls.foreignClient.cert)],
  ])('refuses a TLS client with %s', async (_name, creds) => {
    const client = new RawFunctionClient(`localhost:${port}`, creds());
    await expect(client.callBytes(RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish(), 3000)).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    client.close();
  });

  it.each([['TLSv1'], ['TLSv1.1']] as const)('refuses a %s handshake (TLS 1.2 minimum)', async (version) => {
    const { connect } = await import('node:tls');
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: tls.caCert, key: tls.client.key, cert: tls.client.cert, servername: 'localhost', minVersion: version, maxVersion: version, ALPNProtocols: ['h2'], ciphers: 'DEFAULT@SECLEVEL=0' });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });

  it('still serves TLS 1.2 with a client certificate', async () => {
    const { connect } = await import('node:tls');
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: tls.caCert, key: tls.client.key, cert: tls.client.cert, servername: 'localhost', maxVersion: 'TLSv1.2', ALPNProtocols: ['h2'] });
      socket.once('secureConnect', () => {
        const protocol = socket.getProtocol() ?? 'unknown';
        socket.destroy();
        resolve(protocol);
      });
      socket.once('error', (err) => resolve(`refused: ${err.message}`));
    });
    expect(outcome).toBe('TLSv1.2');
  });

  it('refuses a plaintext client', async () => {
    const client = new RawFunctionClient(`localhost:${port}`);
    await expect(client.callBytes(RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish(), 3000)).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    client.close();
  });

  it('fails to start with a clear error when certificates are missing', () => {
    expect(() => serverCredentials({ insecure: false, tlsServerCertsDir: '/nonexistent/certs' })).toThrow(StartupError);
    expect(() => serverCredentials({ insecure: false, tlsServerCertsDir: '/nonexistent/certs' })).toThrow(/cannot read TLS file \/nonexistent\/certs\/tls.key/);
  });
});
