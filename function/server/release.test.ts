/**
 * Request and response memory given back early (worker.ts release, the pool's transfer): the
 * answers stay byte for byte the same, cached answers are never emptied, and nothing that may be
 * shared (Node's Buffer pool, a caller's buffer) is ever detached.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { computeAnswer } from './answer.js';
import { listen, poolOf, type RunningServer } from './server.js';
import { WorkerPool } from './worker-pool.js';
import { ownedBuffer, release, RELEASE_MIN_BYTES } from './worker.js';
import { RawFunctionClient } from '../../test/support/grpc-client.js';
import { actorDoc, baseSpec, request } from '../../test/support/requests.js';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** About 200 KiB of request, and as much of answer (the env is copied into the pod). */
const large = (n = 0) =>
  Buffer.from(
    RunFunctionRequest.encode(
      request({ xr: actorDoc({ ...baseSpec, env: Array.from({ length: 50 }, (_, i) => ({ name: `E${i}`, value: `${n}`.padEnd(4096, 'v') })) }), tag: `t${n}` }),
    ).finish(),
  );

describe('release', () => {
  it('empties a large buffer that owns its memory, or owns it but a short prefix', () => {
    const whole = Buffer.alloc(RELEASE_MIN_BYTES, 1);
    release(whole);
    expect(whole.length).toBe(0);
    const framed = Buffer.alloc(RELEASE_MIN_BYTES + 5, 1).subarray(5);
    release(framed);
    expect(framed.length).toBe(0);
  });

  it('leaves alone small buffers (pool slices), views into larger memory, and slices that share it', () => {
    const pooled = Buffer.from('abc');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    release(pooled);
    expect(pooled.toString()).toBe('abc');
    const parent = Buffer.alloc(4 * RELEASE_MIN_BYTES, 2);
    const head = parent.subarray(0, 2 * RELEASE_MIN_BYTES);
    const tail = parent.subarray(RELEASE_MIN_BYTES);
    release(head);
    release(tail);
    expect(ownedBuffer(head)).toBeUndefined();
    expect(parent.length).toBe(4 * RELEASE_MIN_BYTES);
    expect(parent.every((b) => b === 2)).toBe(true);
  });
});

describe('the pool transfers a request only when it is given away', () => {
  it('copies by default, transfers with { transfer: true }; the answers are the same', async () => {
    const pool = new WorkerPool({ size: 1 });
    cleanups.push(() => pool.terminate());
    await pool.ready();
    const kept = large(1);
    const expected = computeAnswer(large(1)).out;
    expect((await pool.run(kept)).out.equals(expected)).toBe(true);
    expect(kept.equals(large(1))).toBe(true);
    const given = large(1);
    expect((await pool.run(given, { transfer: true })).out.equals(expected)).toBe(true);
    expect(given.length).toBe(0);
  });
});

describe('the server releases answers it does not keep', () => {
  for (const workers of [0, 1]) {
    it(`answers large requests byte for byte with workers ${workers}, and cached answers stay whole`, async () => {
      const running: RunningServer = await listen(
        { address: '127.0.0.1:0', insecure: true, tlsServerCertsDir: '', maxRecvMessageSize: 4 * 1024 * 1024, debug: false, workers, workerMinBytes: 0 },
        silent,
      );
      cleanups.push(() => running.stop(100).then(() => undefined));
      await poolOf(running.server)?.ready();
      const client = new RawFunctionClient(`127.0.0.1:${running.port}`);
      cleanups.push(() => client.close());
      for (let n = 0; n < 3; n++) {
        const expected = computeAnswer(large(n)).out;
        expect(expected.length).toBeGreaterThan(RELEASE_MIN_BYTES);
        // The second and third calls are cache hits: the same Buffer as the first answer.
        for (let i = 0; i < 3; i++) expect((await client.callBytes(large(n))).equals(expected)).toBe(true);
      }
    });
  }
});
