/**
 * The bundled entry point (scripts/bundle.sh, what the package image runs) answers every corpus
 * and example actor byte for byte as the sources do, in its main thread and in its worker, and
 * carries none of the code its cuts leave out (issue 16, cold start).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { computeAnswer } from '../function/server/answer.js';
import { exampleFiles, invalidFiles, validFiles } from './corpus/corpus.js';
import { RawFunctionClient } from './support/grpc-client.js';
import { request } from './support/requests.js';

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
  it('leaves out what its cuts name: proto-loader and protobufjs, pino transports, zod compile', () => {
    const text = readFileSync(bundle, 'utf8');
    for (const gone of ['no such type' /* protobufjs */, 'Long.fromBits' /* long */, 'ThreadStream' /* thread-stream */, 'z.compile does not support']) {
      expect(text, gone).not.toContain(gone);
    }
    for (const stub of ['@grpc/proto-loader', 'pino.transport', "zod's compile", "zod's fromJSONSchema"]) {
      expect(text, stub).toContain(`${stub} is not in the server bundle`);
    }
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
});
