/**
 * When a server's workers start (issue 16, cold start): not while the first call is being
 * answered, but after it (or after a quiet period without one), so loading them does not
 * compete with that call; `ready` still starts and waits for them.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { computeAnswer } from '../function/server/answer.js';
import { listen, poolOf, type RunningServer } from '../function/server/server.js';
import { WorkerPool } from '../function/server/worker-pool.js';
import { RawFunctionClient } from './support/grpc-client.js';
import { actorDoc, baseSpec, request } from './support/requests.js';

const req = () => Buffer.from(RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish());
const HOUR = 3_600_000;
let pool: WorkerPool | undefined;
let running: RunningServer | undefined;
afterEach(async () => {
  await pool?.terminate();
  pool = undefined;
  await running?.stop(100);
  running = undefined;
});

/** Resolves with the thread id once a worker of the pool reports ready. */
const readyOnce = () => {
  let resolve: (threadId: number) => void = () => undefined;
  const ready = new Promise<number>((r) => (resolve = r));
  return { ready, onWorkerReady: ({ threadId }: { threadId: number }) => resolve(threadId) };
};

describe('WorkerPool.startAfterFirstCall', () => {
  it('starts no worker before the first call, answers that call in the main thread, then starts them', async () => {
    const { ready, onWorkerReady } = readyOnce();
    pool = new WorkerPool({ size: 1, autoStart: false, onWorkerReady });
    // The quiet period never ends within the test: only the first call can start the worker.
    pool.startAfterFirstCall(HOUR);
    expect(pool.started).toBe(false);
    const first = await pool.run(req());
    expect(first.out.equals(computeAnswer(req()).out)).toBe(true);
    expect(pool.inline).toBe(1);
    expect(pool.started).toBe(false);
    expect(await ready).toBeGreaterThan(0);
    expect(pool.started).toBe(true);
    // From now on a worker answers (minBytes 0).
    const second = await pool.run(req());
    expect(second.out.equals(first.out)).toBe(true);
    expect(pool.inline).toBe(1);
  });

  it('starts the workers after the quiet period when no call comes', async () => {
    const { ready, onWorkerReady } = readyOnce();
    pool = new WorkerPool({ size: 1, autoStart: false, onWorkerReady });
    pool.startAfterFirstCall(1);
    expect(await ready).toBeGreaterThan(0);
    expect(pool.inline).toBe(0);
  });

  it('ready() starts a pending start at once; close() cancels one', async () => {
    pool = new WorkerPool({ size: 2, autoStart: false });
    pool.startAfterFirstCall(HOUR);
    await pool.ready();
    expect(pool.started).toBe(true);
    expect((await pool.run(req())).out.equals(computeAnswer(req()).out)).toBe(true);
    expect(pool.inline).toBe(0);

    const idle = new WorkerPool({ size: 1, autoStart: false });
    idle.startAfterFirstCall(1);
    await idle.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(idle.started).toBe(false);
  });

  it('a server leaves its workers unstarted until its first call has been answered', async () => {
    running = await listen({ address: '127.0.0.1:0', insecure: true, tlsServerCertsDir: '', maxRecvMessageSize: 4 * 1024 * 1024, debug: false, workers: 1, responseCacheEntries: 0 }, pino({ level: 'silent' }));
    const serverPool = poolOf(running.server)!;
    expect(serverPool.started).toBe(false);
    const client = new RawFunctionClient(`127.0.0.1:${running.port}`);
    try {
      expect((await client.callBytes(req())).equals(computeAnswer(req()).out)).toBe(true);
      expect(serverPool.inline).toBe(1);
      await serverPool.ready();
      expect(serverPool.started).toBe(true);
    } finally {
      client.close();
    }
  });
});
