/**
 * Bounds on what RunFunction calls may hold (issue 12 item 5), as a grpc-js server interceptor:
 *
 * - in-flight bytes: every request byte the server has read for a call that is not answered yet
 *   counts against one budget (`--max-inflight-bytes`). A call that starts while the budget is
 *   used up is refused with RESOURCE_EXHAUSTED before its body is read (its bytes stay in the
 *   client's HTTP/2 flow-control window, not in our memory), and a call whose bytes push the
 *   total over the budget is refused at that point, which frees what it held. grpc-js
 *   buffers a message until it is complete and offers no hook for partial messages, so the bytes
 *   are counted on the call's HTTP/2 stream itself.
 * - a per-call deadline (`--call-timeout`): a call whose request has not fully arrived, or that
 *   is not answered, within the timeout ends with DEADLINE_EXCEEDED (a client's own shorter
 *   grpc-timeout still applies; grpc-js enforces that).
 *
 * The health service is not subject to either: probes must keep working under load.
 */
import { constants, type ServerHttp2Stream } from 'node:http2';
import * as grpc from '@grpc/grpc-js';

export interface AdmissionOptions {
  /** Most request bytes held at once for unanswered RunFunction calls. */
  readonly maxInflightBytes: number;
  /** Most milliseconds a RunFunction call may take from its headers to its answer. */
  readonly callTimeoutMs: number;
  /** Only calls to this method path are bounded. */
  readonly path: string;
}

/** The budget's state, for tests and the log. */
export interface AdmissionStats {
  /** Request bytes held now. */
  held: number;
  /** Largest `held` seen. */
  peak: number;
  refusedBusy: number;
  refusedOver: number;
  timedOut: number;
}

export interface Admission {
  readonly interceptor: grpc.ServerInterceptor;
  readonly stats: AdmissionStats;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function admission(opts: AdmissionOptions): Admission {
  const stats: AdmissionStats = { held: 0, peak: 0, refusedBusy: 0, refusedOver: 0, timedOut: 0 };
  const interceptor: grpc.ServerInterceptor = (method, next) => {
    if (method.path !== opts.path) return new grpc.ServerInterceptingCall(next);
    // grpc-js's base call keeps its HTTP/2 stream in a field; function/server/admission.test.ts
    // fails if a grpc-js upgrade moves it (then the byte budget would silently not apply).
    const stream = (next as unknown as { stream?: ServerHttp2Stream }).stream;
    let held = 0;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      stats.held -= held;
      held = 0;
      if (timer !== undefined) clearTimeout(timer);
      stream?.off('data', onData);
    };
    /**
     * A refusal also resets the stream (RST_STREAM NO_ERROR after the trailers, as other gRPC
     * servers do when they answer before the request is complete): otherwise the client keeps
     * sending into a call that is over, and the bytes in flight keep the connection's window.
     */
    const refuse = (status: Parameters<grpc.ServerInterceptingCall["sendStatus"]>[0]) => {
      call.sendStatus(status);
      if (stream !== undefined && !stream.closed) setImmediate(() => stream.destroyed || stream.close(constants.NGHTTP2_NO_ERROR));
    };
    const call: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(next, {
      start: (startNext) => {
        if (stats.held >= opts.maxInflightBytes) {
          stats.refusedBusy++;
          finish();
          refuse({
            code: grpc.status.RESOURCE_EXHAUSTED,
            details: `the server holds ${mib(stats.held)} of requests in flight, its limit (--max-inflight-bytes ${opts.maxInflightBytes}); retry later`,
          });
          return;
        }
        startNext({ onCancel: finish });
      },
      sendStatus: (status, statusNext) => {
        finish();
        statusNext(status);
      },
    });
    const onData = (chunk: Buffer) => {
      if (finished) return;
      held += chunk.length;
      stats.held += chunk.length;
      if (stats.held > stats.peak) stats.peak = stats.held;
      if (stats.held > opts.maxInflightBytes) {
        stats.refusedOver++;
        refuse({
          code: grpc.status.RESOURCE_EXHAUSTED,
          details: `this request would raise the bytes the server holds for calls in flight over its limit (--max-inflight-bytes ${opts.maxInflightBytes}); retry later`,
        });
      }
    };
    // Prepended: counted before grpc-js's own listener buffers the chunk.
    stream?.prependListener('data', onData);
    stream?.once('close', finish);
    timer = setTimeout(() => {
      if (finished) return;
      stats.timedOut++;
      refuse({
        code: grpc.status.DEADLINE_EXCEEDED,
        details: `the call was not complete within --call-timeout (${opts.callTimeoutMs / 1000} s): its request did not arrive in full or was not answered in time`,
      });
    }, opts.callTimeoutMs);
    timer.unref();
    return call;
  };
  return { interceptor, stats };
}
