/**
 * Bounds on what RunFunction calls may hold (issue 12 item 5), as a grpc-js server interceptor:
 *
 * - in-flight bytes: every call is charged, against one budget (`--max-inflight-bytes`), for the
 *   request bytes it may hold until it is answered. As soon as the 5-byte gRPC message prefix
 *   has arrived, the charge is the whole announced message (grpc-js buffers a message until it is
 *   complete and offers no hook for partial messages, so what a call announces is what it will
 *   pin); before that, and beyond it, the bytes read. A call whose charge does not fit is refused
 *   with RESOURCE_EXHAUSTED at that point, before its body is read: a stalled client can pin at
 *   most what was admitted, and refused calls leave nothing behind to collect. A call that starts
 *   while the budget is used up is refused before its body is read (its bytes stay in the
 *   client's HTTP/2 flow-control window, not in our memory). The bytes are counted on the call's
 *   HTTP/2 stream itself.
 * - a share for small requests: requests announcing more than `smallRequestBytes` may together
 *   hold at most the budget minus `smallReserveBytes`, so clients that stall big requests cannot
 *   starve the typical (few KiB) calls; those still get answers.
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
  /** Requests announcing at most this many bytes are small (default DEFAULT_SMALL_REQUEST_BYTES). */
  readonly smallRequestBytes?: number | undefined;
  /** Part of the budget larger requests may not use (default: an eighth of it). */
  readonly smallReserveBytes?: number | undefined;
  /**
   * Announced sizes above this are not reserved: grpc-js refuses such a message itself
   * (RESOURCE_EXHAUSTED, "larger than max") as soon as it reads the prefix.
   */
  readonly maxMessageBytes?: number | undefined;
  /** Told how many bytes a call held once it is over (to give memory back, reclaim.ts). */
  readonly onRelease?: ((bytes: number) => void) | undefined;
}

/** A typical XR request is a few KiB; the largest allowed is 4 MiB. */
export const DEFAULT_SMALL_REQUEST_BYTES = 256 * 1024;

/** The budget's state, for tests and the log. */
export interface AdmissionStats {
  /** RunFunction calls started (headers received) and not over yet. */
  active: number;
  /** Request bytes held (or reserved for announced messages) now. */
  held: number;
  /** The part of `held` charged to requests over the small-request size. */
  heldLarge: number;
  /** Largest `held` seen. */
  peak: number;
  refusedBusy: number;
  refusedOver: number;
  timedOut: number;
}

export interface Admission {
  readonly interceptor: grpc.ServerInterceptor;
  readonly stats: AdmissionStats;
  /** Most bytes requests over the small-request size may hold together. */
  readonly largeLimit: number;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
/** The gRPC length-prefixed message header: a compressed flag and a 32-bit big-endian length. */
const PREFIX_BYTES = 5;

export function admission(opts: AdmissionOptions): Admission {
  const stats: AdmissionStats = { active: 0, held: 0, heldLarge: 0, peak: 0, refusedBusy: 0, refusedOver: 0, timedOut: 0 };
  const budget = opts.maxInflightBytes;
  const smallBytes = opts.smallRequestBytes ?? DEFAULT_SMALL_REQUEST_BYTES;
  const largeLimit = Math.max(0, budget - (opts.smallReserveBytes ?? Math.floor(budget / 8)));
  const maxMessage = opts.maxMessageBytes ?? Number.POSITIVE_INFINITY;
  const interceptor: grpc.ServerInterceptor = (method, next) => {
    if (method.path !== opts.path) return new grpc.ServerInterceptingCall(next);
    // grpc-js's base call keeps its HTTP/2 stream in a field; function/server/admission.test.ts
    // fails if a grpc-js upgrade moves it (then the byte budget would silently not apply).
    const stream = (next as unknown as { stream?: ServerHttp2Stream }).stream;
    /** What this call is charged: max(bytes read, announced message + prefix). */
    let held = 0;
    let received = 0;
    let reserved = 0;
    let large = false;
    /** The first bytes of the message prefix until all five have arrived. */
    let prefix: Buffer | undefined = Buffer.alloc(0);
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    stats.active++;
    const charge = (to: number) => {
      const delta = to - held;
      held = to;
      stats.held += delta;
      if (large) stats.heldLarge += delta;
      if (stats.held > stats.peak) stats.peak = stats.held;
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      stats.active--;
      const released = held;
      charge(0);
      if (timer !== undefined) clearTimeout(timer);
      stream?.off('data', onData);
      opts.onRelease?.(released);
    };
    /**
     * A refusal also resets the stream (RST_STREAM NO_ERROR after the trailers, as other gRPC
     * servers do when they answer before the request is complete): otherwise the client keeps
     * sending into a call that is over, and the bytes in flight keep the connection's window.
     */
    const refuse = (status: Parameters<grpc.ServerInterceptingCall["sendStatus"]>[0]) => {
      call.sendStatus(status);
      finish();
      if (stream !== undefined && !stream.closed) setImmediate(() => stream.destroyed || stream.close(constants.NGHTTP2_NO_ERROR));
    };
    const call: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(next, {
      start: (startNext) => {
        if (stats.held >= budget) {
          stats.refusedBusy++;
          finish();
          refuse({
            code: grpc.status.RESOURCE_EXHAUSTED,
            details: `the server holds ${mib(stats.held)} of requests in flight, its limit (--max-inflight-bytes ${budget}); retry later`,
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
      received += chunk.length;
      if (prefix !== undefined) {
        // The prefix nearly always arrives whole in the first chunk; only a split one is copied.
        const head = prefix.length === 0 && chunk.length >= PREFIX_BYTES ? chunk : (prefix = Buffer.concat([prefix, chunk.subarray(0, PREFIX_BYTES - prefix.length)]));
        if (head.length >= PREFIX_BYTES) {
          const announced = head.readUInt32BE(1);
          prefix = undefined;
          if (announced <= maxMessage) {
            reserved = PREFIX_BYTES + announced;
            large = announced > smallBytes;
            // What it held so far moves to the share it belongs to.
            if (large) stats.heldLarge += held;
          }
        }
      }
      charge(Math.max(received, reserved));
      if (stats.held > budget) {
        stats.refusedOver++;
        refuse({
          code: grpc.status.RESOURCE_EXHAUSTED,
          details: `this request (${mib(held)}) would raise the bytes the server holds for calls in flight over its limit (--max-inflight-bytes ${budget}); retry later`,
        });
      } else if (large && stats.heldLarge > largeLimit) {
        stats.refusedOver++;
        refuse({
          code: grpc.status.RESOURCE_EXHAUSTED,
          details: `this request (${mib(held)}) would raise the bytes held for large calls in flight over their share (${largeLimit} of --max-inflight-bytes ${budget}; the rest is kept for requests up to ${smallBytes} bytes); retry later`,
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
  return { interceptor, stats, largeLimit };
}
