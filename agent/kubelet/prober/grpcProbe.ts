// The grpc probe (upstream pkg/probe/grpc): call grpc.health.v1.Health/Check on the pod IP and
// port; SERVING succeeds, anything else fails. The two tiny health messages are encoded by hand
// (one string field, one enum field) rather than loading a .proto for them.
import * as grpc from '@grpc/grpc-js';
import { joinHostPort } from './netErrors.ts';
import { PROBE_USER_AGENT } from './httpProbe.ts';
import type { ProbeOutcome } from './types.ts';

const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest{service = 1}: field 1, wire type 2 (length-delimited). */
export function encodeHealthCheckRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const bytes = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), encodeVarint(bytes.length), bytes]);
}

function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** HealthCheckResponse{status = 1 (enum)}; other fields are skipped. */
export function decodeHealthCheckResponse(buf: Buffer): number {
  let i = 0;
  let status = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80) || i >= buf.length) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) status = v;
    } else if (wire === 2) i += varint();
    else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else break;
  }
  return status;
}

export function grpcProbe(host: string, port: number, service: string, timeoutSeconds: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = `${timeoutSeconds}s`;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': PROBE_USER_AGENT });
  const deadline = Date.now() + timeoutSeconds * 1000;
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) return resolve({ result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}` });
      client.makeUnaryRequest(
        HEALTH_CHECK_METHOD,
        (req: string) => encodeHealthCheckRequest(req),
        // Wrapped in an object: grpc-js takes a falsy message (UNKNOWN = 0) for no message.
        (buf: Buffer) => ({ status: decodeHealthCheckResponse(buf) }),
        service,
        new grpc.Metadata(),
        { deadline },
        (callErr, res) => {
          const status = res?.status ?? 0;
          if (callErr) {
            if (callErr.code === grpc.status.UNIMPLEMENTED) {
              return resolve({ result: 'failure', output: `timeout: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${callErr.details}` });
            }
            if (callErr.code === grpc.status.DEADLINE_EXCEEDED) {
              return resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${timeout}` });
            }
            return resolve({ result: 'failure', output: `error: health rpc probe failed: ${callErr.message}` });
          }
          if (status !== 1) {
            return resolve({ result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(SERVING_STATUS[status] ?? String(status))})` });
          }
          resolve({ result: 'success', output: 'service healthy' });
        },
      );
    });
  }).finally(() => client.close());
}
