// grpc probes against a real gRPC server on 127.0.0.1 that implements grpc.health.v1.Health.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, grpcProbe } from './grpcProbe.ts';

function decodeService(buf: Buffer): string {
  return buf.length ? buf.subarray(2, 2 + buf[1]).toString() : '';
}

interface CheckRequest {
  service: string;
}

let server: grpc.Server | undefined;
afterEach(() => server?.forceShutdown());

async function startHealthServer(statusFor: (service: string) => number): Promise<number> {
  server = new grpc.Server();
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: (v: CheckRequest) => encodeHealthCheckRequest(v.service),
        requestDeserialize: (buf: Buffer): CheckRequest => ({ service: decodeService(buf) }),
        responseSerialize: (status: number) => Buffer.from([0x08, status]),
        responseDeserialize: decodeHealthCheckResponse,
      },
    },
    {
      Check: (call: grpc.ServerUnaryCall<CheckRequest, number>, cb: grpc.sendUnaryData<number>) => cb(null, statusFor(call.request.service)),
    },
  );
  return new Promise((resolve, reject) =>
    server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
}

describe('grpc probe', () => {
  it('succeeds when SERVING and fails with the status otherwise', async () => {
    const port = await startHealthServer((service) => (service === 'db' ? 2 : 1));
    expect(await grpcProbe('127.0.0.1', port, '', 1)).toEqual({ result: 'success', output: 'service healthy' });
    expect(await grpcProbe('127.0.0.1', port, 'db', 1)).toEqual({ result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  it('fails when nothing listens', async () => {
    const port = await startHealthServer(() => 1);
    server!.forceShutdown();
    server = undefined;
    expect(await grpcProbe('127.0.0.1', port, '', 1)).toEqual({ result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${port}" within 1s` });
  });

  it('round-trips the health messages', () => {
    expect(encodeHealthCheckRequest('')).toEqual(Buffer.alloc(0));
    expect(decodeService(encodeHealthCheckRequest('db'))).toBe('db');
    expect(decodeHealthCheckResponse(Buffer.from([0x08, 0x03]))).toBe(3);
    expect(decodeHealthCheckResponse(Buffer.alloc(0))).toBe(0);
  });
});
