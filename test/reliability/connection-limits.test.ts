/**
 * Per-connection limits against stalled clients (issue 12 item 5, partly): the server advertises
 * a concurrent-stream limit in its HTTP/2 SETTINGS and closes connections left idle.
 */
import { connect } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { bind, createServer, DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_RECV_BYTES, serverCredentials } from '../../function/server/server.js';

const silent = pino({ level: 'silent' });
let server: grpc.Server | undefined;
afterEach(() => server?.forceShutdown());

async function start(opts: { maxConcurrentStreams?: number; idleTimeoutMs?: number }) {
  server = createServer({ maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES, ...opts }, silent);
  return bind(server, '127.0.0.1:0', serverCredentials({ insecure: true, tlsServerCertsDir: '' }));
}

const remoteSettings = (port: number) =>
  new Promise<{ max: number | undefined; close: () => void }>((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.once('error', reject);
    session.once('remoteSettings', (s) => resolve({ max: s.maxConcurrentStreams, close: () => session.close() }));
  });

describe('connection limits', () => {
  it('advertises the default concurrent-stream limit per connection', async () => {
    const got = await remoteSettings(await start({}));
    got.close();
    expect(got.max).toBe(DEFAULT_MAX_CONCURRENT_STREAMS);
  });

  it('advertises a configured limit', async () => {
    const got = await remoteSettings(await start({ maxConcurrentStreams: 3 }));
    got.close();
    expect(got.max).toBe(3);
  });

  it('closes a connection that stays idle past the idle timeout', async () => {
    const port = await start({ idleTimeoutMs: 300 });
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    const why = await new Promise<string>((resolve) => {
      session.once('goaway', () => resolve('goaway'));
      session.once('close', () => resolve('close'));
    });
    expect(['goaway', 'close']).toContain(why);
  }, 15_000);
});
