/**
 * The bundled entry point (scripts/bundle.sh, what the package image runs) answers every corpus
 * and example actor byte for byte as the sources do, in its main thread and in its worker, and
 * carries none of the code its cuts leave out (issue 16, cold start).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { computeAnswer } from '../function/server/answer.js';
import { exampleFiles, invalidFiles, validFiles } from './corpus/corpus.js';
import { RawFunctionClient } from './support/grpc-client.js';
import { ServingStatus } from '../function/server/health.js';
import { TestHealthClient } from './support/health-client.js';
import { request } from './support/requests.js';
import { makeTlsDir } from './support/tls.js';

const ROOT = join(import.meta.dirname, '..');
let dir = '';
let bundle = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'asya-bundle-'));
  bundle = join(dir, 'main.mjs');
  execFileSync('bash', ['scripts/bundle.sh', bundle], { cwd: ROOT, stdio: 'ignore' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every corpus and example actor as the request Crossplane would send for it. */
function corpusRequests(): Array<{ name: string; bytes: Buffer }> {
  return [...validFiles(), ...invalidFiles(), ...exampleFiles()]
    .flatMap((f) => parseAllDocuments(f.text).map((d, i) => ({ name: `${f.name}#${i}`, doc: d.toJS() as Record<string, unknown> | null })))
    .filter((f) => f.doc !== null && typeof f.doc['kind'] === 'string' && /AsyncActor$/.test(f.doc['kind']))
    .map((f) => ({ name: f.name, bytes: Buffer.from(RunFunctionRequest.encode(request({ xr: f.doc!, tag: f.name })).finish()) }));
}

describe('bundled entry point', () => {
  it("leaves out what its cuts name: proto-loader and protobufjs, pino transports, zod compile, grpc-js's client, the SDK's codecs", () => {
    const text = readFileSync(bundle, 'utf8');
    const gone = [
      'no such type' /* protobufjs */,
      'Long.fromBits' /* long */,
      'ThreadStream' /* thread-stream */,
      'z.compile does not support',
      'class InternalChannel' /* grpc-js's channel */,
      'pick_first' /* grpc-js's load balancers */,
      'Failed to connect before the deadline' /* grpc-js's Client */,
      'createBaseRunFunctionRequest' /* the SDK's message codecs */,
      'FunctionRunnerServiceClient',
    ];
    // Booleans, so that a failure names the string instead of printing the whole bundle.
    for (const g of gone) expect(text.includes(g), g).toBe(false);
    for (const stub of ['@grpc/proto-loader', 'pino.transport', "zod's compile", "zod's fromJSONSchema", "grpc-js's makeGenericClientConstructor", "grpc-js's ChannelCredentials"]) {
      expect(text.includes(`${stub} is not in the server bundle`), stub).toBe(true);
    }
  });

  // esbuild wraps a module reached through import() in an init function that V8 parses twice at
  // start (once with the file, again when it runs); function/server/main.ts imports statically.
  it('has no lazily initialised module wrappers (no dynamic import in the server)', () => {
    const wrapped = readFileSync(bundle, 'utf8').match(/\binit_\w+=__esm\(/g) ?? [];
    expect(wrapped.length, wrapped.slice(0, 5).join(' ')).toBe(0);
  });

  it('answers every corpus and example actor byte for byte as the sources do, in process and in its worker', async () => {
    const reqs = corpusRequests();
    expect(reqs.length).toBeGreaterThan(150);
    const child = spawn(process.execPath, [bundle, '--insecure', '--address', '127.0.0.1:0', '--workers', '1', '--worker-min-bytes', '0', '--response-cache-entries', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = async (what: RegExp) => {
      const deadline = Date.now() + 20_000;
      while (!what.test(log) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      expect(log).toMatch(what);
    };
    let client: RawFunctionClient | undefined;
    try {
      await until(/listening/);
      const port = (JSON.parse(log.split('\n').find((l) => l.includes('listening')) ?? '{}') as { port: number }).port;
      client = new RawFunctionClient(`127.0.0.1:${port}`);
      // Before its worker is ready every call is answered in the main thread; the first call
      // starts the worker, which then answers the rest (--worker-min-bytes 0).
      for (const [i, r] of reqs.entries()) {
        if (i === 1) await until(/worker thread ready/);
        const got = await client.callBytes(r.bytes);
        expect(got.equals(computeAnswer(r.bytes).out), r.name).toBe(true);
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(log).not.toMatch(/worker thread stopped|not in the server bundle/);
    } finally {
      client?.close();
      child.kill('SIGKILL');
    }
  }, 120_000);

  // grpc-js's client side is cut out of the bundle (scripts/bundle.sh): what the server does with
  // the rest, binding through its resolvers, TLS with client certificates, the health service,
  // must still work, not only the plaintext path above.
  it('serves over mutual TLS, on a unix socket and on its plaintext health port', async () => {
    const tls = makeTlsDir();
    const req = corpusRequests()[0]!.bytes;
    const expected = computeAnswer(req).out;
    const started: ChildProcess[] = [];
    const start = async (args: string[]): Promise<{ listening: Record<string, unknown>; log: () => string }> => {
      const child = spawn(process.execPath, [bundle, ...args, '--response-cache-entries', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      let log = '';
      child.stdout.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const deadline = Date.now() + 20_000;
      while (!log.includes('listening') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      expect(log).toContain('listening');
      return { listening: JSON.parse(log.split('\n').find((l) => l.includes('listening')) ?? '{}') as Record<string, unknown>, log: () => log };
    };
    const clients: Array<{ close(): void }> = [];
    try {
      const secure = await start(['--tls-server-certs-dir', tls.dir, '--address', '127.0.0.1:0', '--health-address', '127.0.0.1:0']);
      const tlsClient = new RawFunctionClient(`localhost:${String(secure.listening['port'])}`, grpc.credentials.createSsl(tls.caCert, tls.client.key, tls.client.cert));
      clients.push(tlsClient);
      expect((await tlsClient.callBytes(req)).equals(expected)).toBe(true);
      const noCert = new RawFunctionClient(`localhost:${String(secure.listening['port'])}`, grpc.credentials.createSsl(tls.caCert));
      clients.push(noCert);
      await expect(noCert.callBytes(req, 3_000)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      const health = new TestHealthClient(`127.0.0.1:${String(secure.listening['healthPort'])}`);
      clients.push(health);
      expect(await health.check()).toBe(ServingStatus.SERVING);

      const socket = join(dir, 'fn.sock');
      await start(['--insecure', '--address', `unix:${socket}`]);
      const unixClient = new RawFunctionClient(`unix:${socket}`);
      clients.push(unixClient);
      expect((await unixClient.callBytes(req)).equals(expected)).toBe(true);
      expect(secure.log()).not.toMatch(/not in the server bundle/);
    } finally {
      for (const c of clients) c.close();
      for (const child of started) child.kill('SIGKILL');
      rmSync(tls.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
