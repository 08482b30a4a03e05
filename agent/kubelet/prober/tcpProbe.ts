// The tcpSocket probe (upstream pkg/probe/tcp): a TCP connection that opens within the timeout
// succeeds; nothing is sent. The kubelet runs in the node's network namespace, so a plain connect
// to the pod IP is exactly upstream's "from the node" probe.
import { Socket } from 'node:net';
import { dialErrorText, joinHostPort } from './netErrors.ts';
import type { ProbeOutcome } from './types.ts';

export function tcpProbe(host: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (outcome: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // A reset instead of a FIN leaves no TIME_WAIT socket behind per probe (upstream's
      // ProbeDialer sets SO_LINGER for the same reason).
      if (socket.destroyed) return resolve(outcome);
      if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ result: 'failure', output: dialErrorText(undefined, addr, true) }), timeoutSeconds * 1000);
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    // Errors are failures, not probe errors: a refused or timed-out connection is the answer.
    socket.on('error', (err) => finish({ result: 'failure', output: dialErrorText(err, addr, false) }));
    socket.connect({ host, port });
  });
}
