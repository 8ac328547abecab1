/**
 * The worker pool (issue 12 item 8): answers identical to the in-process path, a crashed worker
 * replaced with its call answered (never a hang), small calls not stuck behind large ones.
 */
import { RunFunctionRequest, RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { computeAnswer } from '../function/server/answer.js';
import { WorkerPool } from '../function/server/worker-pool.js';
import { actorDoc, baseSpec, request, weightsMount } from './support/requests.js';

const bytesOf = (spec: Record<string, unknown>, tag = 't') => Buffer.from(RunFunctionRequest.encode(request({ xr: actorDoc(spec), tag })).finish());
const crashing = new URL('./support/crashing-worker.ts', import.meta.url);
let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.terminate();
  pool = undefined;
});

describe('WorkerPool', () => {
  it('answers byte for byte what the in-process path answers', async () => {
    pool = new WorkerPool({ size: 2 });
    await pool.ready();
    const reqs = [bytesOf(baseSpec), bytesOf({ ...baseSpec, stateProxy: [weightsMount, { ...weightsMount, name: 'w2', mount: { path: '/state/w2' } }] }), Buffer.from([0xff, 0xff])];
    const got = await Promise.all(reqs.map((r) => pool!.run(r)));
    got.forEach((g, i) => {
      const want = computeAnswer(reqs[i]!);
      expect(g.out.equals(want.out)).toBe(true);
      expect(g.keep).toBe(want.keep);
      expect(g.summary).toEqual(want.summary);
    });
    expect(pool.inline).toBe(0);
  });

  it.each(['crash', 'exit'])('a worker that dies on a call (%s) answers that call with a FATAL and is replaced', async (how) => {
    const exits: number[] = [];
    pool = new WorkerPool({ size: 1, entry: crashing, onWorkerExit: ({ code }) => exits.push(code) });
    await pool.ready();
    const lost = await pool.run(Buffer.from(how, 'latin1'));
    expect(lost.keep).toBe(false);
    const rsp = RunFunctionResponse.decode(lost.out);
    expect(rsp.results).toHaveLength(1);
    expect(rsp.results[0]?.severity).toBe(Severity.SEVERITY_FATAL);
    expect(rsp.results[0]?.reason).toBe('InternalError');
    expect(rsp.results[0]?.message).toMatch(how === 'crash' ? /worker thread answering this call failed: boom/ : /exited with code 7/);
    expect(exits).toHaveLength(1);
    // The replacement answers the next call normally.
    const next = await pool.run(bytesOf(baseSpec));
    expect(next.out.equals(computeAnswer(bytesOf(baseSpec)).out)).toBe(true);
    expect(pool.replaced).toBe(1);
  });

  it('keeps one worker for small calls while large ones occupy the others', async () => {
    pool = new WorkerPool({ size: 2, largeBytes: 1000 });
    await pool.ready();
    const big = bytesOf({ ...baseSpec, env: Array.from({ length: 200 }, (_, i) => ({ name: `E${i}`, value: 'v'.repeat(100) })) });
    expect(big.length).toBeGreaterThan(1000);
    const bigs = [pool.run(big), pool.run(big), pool.run(big)];
    // Large calls may take one of the two workers: two of them queue, the other worker stays free.
    expect(pool.busy).toBe(1);
    expect(pool.queued).toBe(2);
    const small = pool.run(bytesOf(baseSpec));
    expect(pool.busy).toBe(2);
    expect(pool.queued).toBe(2);
    expect((await small).keep).toBe(true);
    expect(pool.inline).toBe(0);
    await Promise.all(bigs);
    expect(pool.busy).toBe(0);
  });

  it('with one worker busy on a large call, answers a small call in the main thread', async () => {
    pool = new WorkerPool({ size: 1, largeBytes: 1000 });
    await pool.ready();
    const big = bytesOf({ ...baseSpec, env: Array.from({ length: 200 }, (_, i) => ({ name: `E${i}`, value: 'v'.repeat(100) })) });
    const pending = pool.run(big);
    const small = await pool.run(bytesOf(baseSpec));
    expect(pool.inline).toBe(1);
    expect(small.out.equals(computeAnswer(bytesOf(baseSpec)).out)).toBe(true);
    await pending;
  });

  it('close lets a call given to a worker finish', async () => {
    pool = new WorkerPool({ size: 1 });
    await pool.ready();
    const pending = pool.run(bytesOf(baseSpec));
    await pool.close();
    expect((await pending).keep).toBe(true);
  });

  it('answers requests under minBytes in the main thread and larger ones in a worker', async () => {
    pool = new WorkerPool({ size: 1, minBytes: 1000 });
    await pool.ready();
    const smallReq = bytesOf(baseSpec);
    expect(smallReq.length).toBeLessThan(1000);
    const big = bytesOf({ ...baseSpec, env: Array.from({ length: 20 }, (_, i) => ({ name: `E${i}`, value: 'v'.repeat(100) })) });
    await pool.run(smallReq);
    expect(pool.inline).toBe(1);
    const pending = pool.run(big);
    expect(pool.busy).toBe(1);
    expect((await pending).out.equals(computeAnswer(big).out)).toBe(true);
    expect(pool.inline).toBe(1);
  });

  it('sends a request under minBytes to a worker when other calls are in flight, and answers it here when it is alone', async () => {
    pool = new WorkerPool({ size: 2, minBytes: 1_000_000 });
    await pool.ready();
    const req = bytesOf(baseSpec);
    const alone = pool.answer(req);
    expect(alone instanceof Promise).toBe(false);
    expect(pool.inline).toBe(1);
    const shared = pool.answer(req, { othersInFlight: true });
    expect(shared instanceof Promise).toBe(true);
    expect(pool.busy).toBe(1);
    expect((await shared).out.equals(computeAnswer(req).out)).toBe(true);
    expect(pool.inline).toBe(1);
  });

  it('refuses zero workers', () => {
    expect(() => new WorkerPool({ size: 0 })).toThrow(RangeError);
  });
});
