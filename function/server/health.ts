/**
 * The standard gRPC health service (grpc.health.v1.Health, `Check` and `Watch`), written against
 * grpc-js directly with the two tiny messages encoded by function/wire, so no extra dependency.
 *
 * Statuses: `""` (the whole server) and the FunctionRunnerService answer SERVING while the server
 * takes calls and NOT_SERVING from the moment shutdown begins; any other name is NOT_FOUND
 * (`Check`) or SERVICE_UNKNOWN (`Watch`), as the protocol specifies. Tools that speak it:
 * `grpc-health-probe`, kubelet `grpc` probes (plaintext only, hence `--health-address`), and
 * load balancers.
 */
import * as grpc from '@grpc/grpc-js';
import { type MessageType, decode, encode } from '../wire/messages.js';

export const HEALTH_SERVICE = 'grpc.health.v1.Health';
export const FUNCTION_SERVICE = 'apiextensions.fn.proto.v1.FunctionRunnerService';

export const ServingStatus = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
export type ServingStatus = (typeof ServingStatus)[keyof typeof ServingStatus];

const HealthCheckRequest: MessageType = { name: 'HealthCheckRequest', fields: [{ no: 1, name: 'service', type: { t: 'string' } }] };
const HealthCheckResponse: MessageType = { name: 'HealthCheckResponse', fields: [{ no: 1, name: 'status', type: { t: 'int32' } }] };

export interface CheckRequest {
  service: string;
}
export interface CheckResponse {
  status: ServingStatus;
}

export const encodeCheckRequest = (r: CheckRequest): Buffer => encode(HealthCheckRequest, { service: r.service });
export const decodeCheckRequest = (b: Uint8Array): CheckRequest => decode(HealthCheckRequest, b) as unknown as CheckRequest;
export const encodeCheckResponse = (r: CheckResponse): Buffer => encode(HealthCheckResponse, { status: r.status });
export const decodeCheckResponse = (b: Uint8Array): CheckResponse => decode(HealthCheckResponse, b) as unknown as CheckResponse;

const method = (name: 'Check' | 'Watch', responseStream: boolean) => ({
  path: `/${HEALTH_SERVICE}/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: encodeCheckRequest,
  requestDeserialize: decodeCheckRequest,
  responseSerialize: encodeCheckResponse,
  responseDeserialize: decodeCheckResponse,
  originalName: name.toLowerCase(),
});

export const HealthServiceDefinition = { check: method('Check', false), watch: method('Watch', true) } satisfies grpc.ServiceDefinition;

type Watcher = grpc.ServerWritableStream<CheckRequest, CheckResponse>;

export class Health {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<Watcher, string>();

  constructor(services: readonly string[] = ['', FUNCTION_SERVICE]) {
    for (const s of services) this.statuses.set(s, ServingStatus.SERVING);
  }

  status(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  set(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const [call, watched] of this.watchers) {
      if (watched === service) call.write({ status });
    }
  }

  /** NOT_SERVING everywhere, then ends every Watch so that a graceful shutdown is not held open. */
  shutdown(): void {
    for (const service of [...this.statuses.keys()]) this.set(service, ServingStatus.NOT_SERVING);
    for (const call of [...this.watchers.keys()]) call.end();
    this.watchers.clear();
  }

  /** The grpc-js implementation of the service. */
  implementation(): grpc.UntypedServiceImplementation {
    return {
      check: (call: grpc.ServerUnaryCall<CheckRequest, CheckResponse>, callback: grpc.sendUnaryData<CheckResponse>) => {
        const status = this.statuses.get(call.request.service);
        if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
        else callback(null, { status });
      },
      watch: (call: Watcher) => {
        const service = call.request.service;
        this.watchers.set(call, service);
        call.on('cancelled', () => this.watchers.delete(call));
        call.write({ status: this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN });
      },
    };
  }
}
