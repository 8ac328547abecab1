/**
 * The container entry point as Kubernetes runs it (issue 5, items 3 and 4): SIGTERM drains
 * in-flight calls and exits 0 quickly; the standard health service says SERVING, then NOT_SERVING
 * once shutdown begins; bad certificates are a one-line startup error with exit code 2.
 */
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SERVICE, ServingStatus } from '../../function/server/health.js';
import { DEFAULT_MAX_RECV_BYTES, type RunningServer, listen } from '../../function/server/server.js';
import * as wire from '../../function/wire/messages.js';
import { RawFunctionClient } from '../support/grpc-client.js';
import { TestHealthClient } from '../support/health-client.js';
import { fatals } from '../support/invariants.js';
import { actorDoc, baseSpec, request } from '../support/requests.js';
import { spawnEntryPoint, startEntryPoint } from '../support/spawn.js';
import { makeTlsDir, type TlsDir } from '../support/tls.js';

const encodeRequest = (req: ReturnType<typeof request>): Buffer => wire.encode(wire.RunFunctionRequest, req as unknown as Record<string, unknown>);

describe('SIGTERM', () => {
  it('lets in-flight calls finish, then exits 0 within a few seconds', async () => {
    const fn = await startEntryPoint(['--insecure']);
    const client = new RawFunctionClient(`127.0.0.1:${fn.port}`);
    try {
      const single = await client.callBytes(encodeRequest(request({ xr: actorDoc(baseSpec) })));
      expect(fatals(RunFunctionResponse.decode(single))).toEqual([]);
      // Large requests keep the calls in flight while the signal arrives.
      const bytes = encodeRequest(request({ xr: actorDoc({ ...baseSpec, env: [{ name: 'PAD', value: 'p'.repeat(1_000_000) }] }), tag: 'drain' }));
      const calls = Promise.allSettled(Array.from({ length: 40 }, () => client.callBytes(bytes, 20_000)));
      // A small call on the same connection as a barrier: when it is answered, the server has read
      // the headers of every call above (HTTP/2 frames are processed in order), so all 40 are in
      // flight, not merely queued in a socket buffer, when the signal arrives.
      await client.callBytes(encodeRequest(request({ xr: actorDoc(baseSpec), tag: 'barrier' })));
      const signalled = Date.now();
      fn.child.kill('SIGTERM');
      const results = await calls;
      const exit = await fn.exited;
      const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      expect(failures).toEqual([]);
      for (const r of results) expect(RunFunctionResponse.decode((r as PromiseFulfilledResult<Buffer>).value).meta?.tag).toBe('drain');
      expect(exit).toMatchObject({ code: 0, signal: null });
      const shutdownMs = exit.at - signalled;
      expect(shutdownMs).toBeLessThan(5_000);
      expect(fn.stdout()).toMatch(/"msg":"stopped"/);
      console.log(`SIGTERM with 40 calls in flight: all completed, exit 0 after ${shutdownMs} ms`);
    } finally {
      client.close();
      fn.child.kill('SIGKILL');
    }
  }, 30_000);

  it('exits 0 at once when idle', async () => {
    const fn = await startEntryPoint(['--insecure']);
    const signalled = Date.now();
    fn.child.kill('SIGTERM');
    const exit = await fn.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeLessThan(2_000);
  }, 20_000);
});

describe('grpc.health.v1.Health', () => {
  it('the entry point: SERVING on the main port and on --health-address; NOT_SERVING once SIGTERM arrives', async () => {
    const fn = await startEntryPoint(['--insecure', '--health-address', '127.0.0.1:0']);
    const main = new TestHealthClient(`127.0.0.1:${fn.port}`);
    const probe = new TestHealthClient(`127.0.0.1:${String(fn.healthPort)}`);
    try {
      expect(fn.healthPort).toBeGreaterThan(0);
      expect(await main.check()).toBe(ServingStatus.SERVING);
      expect(await main.check(FUNCTION_SERVICE)).toBe(ServingStatus.SERVING);
      expect(await probe.check()).toBe(ServingStatus.SERVING);
      await expect(probe.check('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });

      const seen: number[] = [];
      const stream = probe.watch('');
      const ended = new Promise<void>((resolve) => {
        stream.on('data', (m: { status: number }) => seen.push(m.status));
        stream.on('end', resolve);
        stream.on('error', () => resolve());
      });
      await new Promise((r) => setTimeout(r, 100));
      fn.child.kill('SIGTERM');
      await ended;
      expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
      expect((await fn.exited).code).toBe(0);
    } finally {
      main.close();
      probe.close();
      fn.child.kill('SIGKILL');
    }
  }, 30_000);

  describe('in process', () => {
    let running: RunningServer;
    beforeAll(async () => {
      running = await listen(
        { address: '127.0.0.1:0', insecure: true, tlsServerCertsDir: '', maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES, debug: false, healthAddress: '127.0.0.1:0' },
        pino({ level: 'silent' }),
      );
    });
    afterAll(() => running.server.forceShutdown());

    it('the health port answers NOT_SERVING while in-flight calls drain, then closes', async () => {
      const fnClient = new RawFunctionClient(`127.0.0.1:${running.port}`);
      const probe = new TestHealthClient(`127.0.0.1:${String(running.healthPort)}`);
      const bytes = encodeRequest(request({ xr: actorDoc({ ...baseSpec, env: [{ name: 'PAD', value: 'p'.repeat(2_000_000) }] }) }));
      // Connected first, so that every call below is in flight when the shutdown starts.
      expect(await probe.check()).toBe(ServingStatus.SERVING);
      await fnClient.callBytes(encodeRequest(request({ xr: actorDoc(baseSpec) })));
      const pending = Array.from({ length: 20 }, () => fnClient.callBytes(bytes, 20_000));
      const calls = Promise.allSettled(pending);
      // Client and server share this event loop, so a fixed delay says nothing about what reached
      // the server: stop once the first answer is back, with the others somewhere in flight.
      await Promise.any(pending);
      const stopped = running.stop(10_000);
      expect(await probe.check()).toBe(ServingStatus.NOT_SERVING);
      // In one event loop some streams may not have reached the server yet: those are refused
      // (UNAVAILABLE, which Crossplane retries). Nothing that started is cut.
      const settled = await calls;
      expect(settled.some((r) => r.status === 'fulfilled')).toBe(true);
      for (const r of settled) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'Stream refused by server' });
      expect(await stopped).toMatchObject({ forced: false });
      await expect(probe.check('', 1_000)).rejects.toBeDefined();
      fnClient.close();
      probe.close();
    }, 30_000);
  });
});

describe('TLS through the entry point', () => {
  let tls: TlsDir;
  beforeAll(() => {
    tls = makeTlsDir();
  });

  const dirWith = (files: Record<string, string | { copy: string } | 'directory'>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'asya-badtls-'));
    for (const [name, content] of Object.entries(files)) {
      if (content === 'directory') mkdirSync(join(dir, name));
      else if (typeof content === 'string') writeFileSync(join(dir, name), content);
      else copyFileSync(content.copy, join(dir, name));
    }
    return dir;
  };

  it.each<[string, () => string, RegExp]>([
    ['garbage in every file', () => dirWith({ 'tls.key': 'garbage', 'tls.crt': 'garbage', 'ca.crt': 'garbage' }), /invalid TLS material in .*asya-badtls-/],
    ['a key that does not match the certificate', () => dirWith({ 'tls.key': { copy: join(tls.dir, 'ca.key') }, 'tls.crt': { copy: join(tls.dir, 'tls.crt') }, 'ca.crt': { copy: join(tls.dir, 'ca.crt') } }), /invalid TLS material.*key values mismatch/i],
    ['a garbage CA bundle', () => dirWith({ 'tls.key': { copy: join(tls.dir, 'tls.key') }, 'tls.crt': { copy: join(tls.dir, 'tls.crt') }, 'ca.crt': '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n' }), /invalid TLS material.*ca\.crt certificate #1 does not parse/],
    ['an empty ca.crt', () => dirWith({ 'tls.key': { copy: join(tls.dir, 'tls.key') }, 'tls.crt': { copy: join(tls.dir, 'tls.crt') }, 'ca.crt': '' }), /invalid TLS material.*ca\.crt holds no PEM certificate/],
    ['an unreadable tls.key (a directory)', () => dirWith({ 'tls.key': 'directory', 'tls.crt': { copy: join(tls.dir, 'tls.crt') }, 'ca.crt': { copy: join(tls.dir, 'ca.crt') } }), /cannot read TLS file .*tls\.key: EISDIR/],
    ['a missing directory', () => '/nonexistent/asya/tls', /cannot read TLS file \/nonexistent\/asya\/tls\/tls\.key: ENOENT/],
  ])('%s: exit code 2 and one clear line on stderr, no stack trace', async (_name, dir, message) => {
    const p = spawnEntryPoint(['--address', '127.0.0.1:0', '--tls-server-certs-dir', dir()]);
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    expect(p.stderr()).toMatch(/^function-asya-state-proxy: /);
    expect(p.stderr()).toMatch(message);
    expect(p.stderr()).not.toMatch(/\n\s+at /);
    expect(p.stderr().trim().split('\n')).toHaveLength(1);
  }, 20_000);

  it('good certificates: serves a client that trusts the CA', async () => {
    const fn = await startEntryPoint(['--tls-server-certs-dir', tls.dir]);
    const client = new RawFunctionClient(`localhost:${fn.port}`, grpc.credentials.createSsl(tls.caCert, tls.client.key, tls.client.cert));
    try {
      const rsp = RunFunctionResponse.decode(await client.callBytes(encodeRequest(request({ xr: actorDoc(baseSpec) }))));
      expect(fatals(rsp)).toEqual([]);
    } finally {
      client.close();
      fn.child.kill('SIGTERM');
      await fn.exited;
    }
  }, 20_000);
});
