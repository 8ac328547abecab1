/**
 * Our function server wired the way the report proposes for function/server.ts (which this
 * benchmark does not edit): the fast response encoder (function/response-encoder.ts) as the
 * response serializer and, with `--cache`, the tag cache (function/cache.ts) in front of the
 * server's own `answer`: raw request bytes in, `meta.tag` read without decoding, the full path only
 * on a miss, response bytes out. Bench-only; takes `--insecure --address host:port`.
 */
import * as grpc from '@grpc/grpc-js';
import { ResponseCache, withRawResponseCache } from '../function/cache.js';
import { encodeResponseFast } from '../function/response-encoder.js';
import { answer, bind, serializeResponse } from '../function/server.js';
import { decodeRequestSafely, salvageTag } from '../function/wire/codec.js';

const args = process.argv.slice(2);
const at = args.indexOf('--address');
const address = at >= 0 ? (args[at + 1] ?? '127.0.0.1:9443') : '127.0.0.1:9443';
const useCache = args.includes('--cache');

/** serializeResponse's error handling (a FATAL when encoding fails), with the fast encoder first. */
const encode = (rsp: Parameters<typeof serializeResponse>[0]): Buffer => {
  try {
    return encodeResponseFast(rsp);
  } catch {
    return serializeResponse(rsp);
  }
};

const handle = useCache
  ? withRawResponseCache({ tagOf: salvageTag, decode: decodeRequestSafely, cacheable: (d) => d.ok, answer, encode }, new ResponseCache())
  : (bytes: Buffer) => encode(answer(decodeRequestSafely(bytes)));

const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024, 'grpc.max_send_message_length': -1 });
const identity = (b: Buffer) => b;
server.addService(
  {
    runFunction: {
      path: '/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction',
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  } satisfies grpc.ServiceDefinition,
  {
    runFunction: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, handle(call.request)),
  },
);
await bind(server, address, grpc.ServerCredentials.createInsecure());
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
