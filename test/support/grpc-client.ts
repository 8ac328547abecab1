/**
 * A RunFunction client that hands back the raw response bytes as well as the decoded message,
 * so tests can compare answers byte for byte.
 */
import * as grpc from '@grpc/grpc-js';
import { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';

const PATH = '/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction';

export class RawFunctionClient {
  private readonly client: grpc.Client;

  constructor(address: string, creds: grpc.ChannelCredentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}) {
    this.client = new grpc.Client(address, creds, { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1, ...options });
  }

  callBytes(req: Uint8Array, deadlineMs = 10_000): Promise<Buffer> {
    return this.start(req, deadlineMs).response;
  }

  /** A call that can be cancelled while in flight (the client disconnecting mid-call). */
  start(req: Uint8Array, deadlineMs = 10_000): { response: Promise<Buffer>; cancel: () => void } {
    let call: grpc.ClientUnaryCall | undefined;
    const response = new Promise<Buffer>((resolve, reject) => {
      call = this.client.makeUnaryRequest<Uint8Array, Buffer>(
        PATH,
        (b) => Buffer.from(b),
        (b) => b,
        req,
        { deadline: Date.now() + deadlineMs },
        (err, value) => (err || value === undefined ? reject(err ?? new Error('empty response')) : resolve(value)),
      );
    });
    return { response, cancel: () => call?.cancel() };
  }

  async call(req: RunFunctionRequest): Promise<{ bytes: Buffer; rsp: RunFunctionResponse }> {
    const bytes = await this.callBytes(RunFunctionRequest.encode(req).finish());
    return { bytes, rsp: RunFunctionResponse.decode(bytes) };
  }

  close(): void {
    this.client.close();
  }
}
