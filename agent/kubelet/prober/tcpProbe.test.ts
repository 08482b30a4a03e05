// tcpSocket probes against a real listener on 127.0.0.1: open succeeds, closed is refused.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { tcpProbe } from './tcpProbe.ts';

describe('tcpSocket probe', () => {
  it('succeeds while the port listens and fails with Go wording once it is closed', async () => {
    let accepted = 0;
    const server = net.createServer((s) => {
      accepted++;
      s.on('error', () => {}); // the probe resets the connection
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;

    expect(await tcpProbe('127.0.0.1', port, 1)).toEqual({ result: 'success', output: '' });
    await new Promise((r) => server.close(r));
    expect(accepted).toBe(1);
    expect(await tcpProbe('127.0.0.1', port, 1)).toEqual({
      result: 'failure',
      output: `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  it('writes IPv6 addresses with brackets', async () => {
    // ::1 may be absent on a host without IPv6: either refusal or unreachability is a failure.
    const out = await tcpProbe('::1', 1, 1);
    expect(out.result).toBe('failure');
    expect(out.output).toMatch(/^dial tcp \[::1\]:1: /);
  });
});
