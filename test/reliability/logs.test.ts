/**
 * What the entry point logs (issue 15 item 7): FATAL results with the XR's name, the debug line
 * with it too, "stopped" after "shutting down", one clear line for a port in use, and a port for
 * `--address <host>`.
 */
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenAddress } from '../../function/server/serve-options.js';
import { bind, createServer, DEFAULT_MAX_RECV_BYTES, serverCredentials } from '../../function/server/server.js';
import * as wire from '../../function/wire/messages.js';
import { RawFunctionClient } from '../support/grpc-client.js';
import { actorDoc, baseSpec, request } from '../support/requests.js';
import { spawnEntryPoint, startEntryPoint } from '../support/spawn.js';

const encodeRequest = (req: ReturnType<typeof request>): Buffer => wire.encode(wire.RunFunctionRequest, req as unknown as Record<string, unknown>);

describe('RunFunction log lines', () => {
  const lines: Array<Record<string, unknown>> = [];
  let server: grpc.Server;
  let client: RawFunctionClient;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    server = createServer({ maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES }, pino({ level: 'debug' }, sink));
    const port = await bind(server, '127.0.0.1:0', serverCredentials({ insecure: true, tlsServerCertsDir: '' }));
    client = new RawFunctionClient(`127.0.0.1:${port}`);
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('a FATAL result is logged with the XR name and reason, and the debug line names the XR', async () => {
    await client.callBytes(encodeRequest(request({ xr: actorDoc({ ...baseSpec, statProxy: [] }, 'typo-actor') })));
    const fatal = lines.find((l) => l['msg'] === 'RunFunction FATAL result');
    expect(fatal).toMatchObject({ xr: 'AsyncActor prod/typo-actor', reason: 'InvalidAsyncActor' });
    expect(String(fatal?.['message'])).toMatch(/statProxy/);
    expect(lines.find((l) => l['msg'] === 'RunFunction')).toMatchObject({ xr: 'AsyncActor prod/typo-actor' });
  });

  it('the same FATAL answered from the response cache is logged again', async () => {
    const before = lines.filter((l) => l['msg'] === 'RunFunction FATAL result').length;
    await client.callBytes(encodeRequest(request({ xr: actorDoc({ ...baseSpec, statProxy: [] }, 'typo-actor') })));
    expect(lines.filter((l) => l['msg'] === 'RunFunction FATAL result').length).toBe(before + 1);
  });
});

describe('--address', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1:9443'],
    ['localhost', 'localhost:9443'],
    ['[::1]', '[::1]:9443'],
    ['127.0.0.1:0', '127.0.0.1:0'],
    ['[::]:9443', '[::]:9443'],
    ['unix:/tmp/x.sock', 'unix:/tmp/x.sock'],
  ])('%s listens on %s (a host alone means port 9443, never 443)', (given, used) => expect(listenAddress(given)).toBe(used));

  it.each([['::1'], ['127.0.0.1:https'], ['127.0.0.1:70000'], ['']])('%s is refused with a clear message', (given) => {
    expect(() => listenAddress(given)).toThrow(/IPv6 address needs brackets|is not a number|must be host:port/);
  });
});

describe('entry point lines', () => {
  it('a port in use prints only our one error line', async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const p = spawnEntryPoint(['--insecure', '--address', `127.0.0.1:${port}`]);
      expect((await p.exited).code).toBe(2);
      expect(p.stderr().trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^function-asya-state-proxy: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))]);
      expect(p.stdout()).toBe('');
    } finally {
      blocker.close();
    }
  }, 20_000);

  it('"stopped" comes after "shutting down"', async () => {
    const fn = await startEntryPoint(['--insecure']);
    fn.child.kill('SIGTERM');
    await fn.exited;
    const msgs = fn.stdout().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs.findIndex((m) => m.startsWith('shutting down'))).toBeGreaterThan(0);
    expect(msgs.indexOf('stopped')).toBeGreaterThan(msgs.findIndex((m) => m.startsWith('shutting down')));
  }, 20_000);
});
