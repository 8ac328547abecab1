/** A grpc.health.v1 client built on the same hand-written messages as the server. */
import * as grpc from '@grpc/grpc-js';
import { type CheckResponse, HealthServiceDefinition, type ServingStatus } from '../../function/server/health.js';

const HealthClient = grpc.makeGenericClientConstructor(HealthServiceDefinition, 'Health');

export class TestHealthClient {
  private readonly client: grpc.Client & {
    check: (req: { service: string }, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, rsp?: CheckResponse) => void) => void;
    watch: (req: { service: string }) => grpc.ClientReadableStream<CheckResponse>;
  };

  constructor(address: string, creds: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    this.client = new HealthClient(address, creds) as unknown as TestHealthClient['client'];
  }

  check(service = '', deadlineMs = 5_000): Promise<ServingStatus> {
    return new Promise((resolve, reject) =>
      this.client.check({ service }, { deadline: Date.now() + deadlineMs }, (err, rsp) => (err || rsp === undefined ? reject(err) : resolve(rsp.status))),
    );
  }

  watch(service = ''): grpc.ClientReadableStream<CheckResponse> {
    return this.client.watch({ service });
  }

  close(): void {
    this.client.close();
  }
}
