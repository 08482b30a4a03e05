// Network errors worded as Go's net package words them. Probe failure messages reach users in
// `kubectl describe pod` ("Readiness probe failed: dial tcp 10.244.1.5:8080: connect: connection
// refused"), and people search for those exact strings, so the kubelet speaks upstream's words.

/** Go's net.JoinHostPort: IPv6 literals get brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// errno → Go's syscall.Errno text (the C library's strerror, lower-case).
const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'broken pipe',
};

/** The error a dial failed with, from Node's socket error (or our own timeout). */
export function dialErrorText(err: unknown, addr: string, timedOut: boolean): string {
  if (timedOut) return `dial tcp ${addr}: i/o timeout`;
  const e = err as NodeJS.ErrnoException & { hostname?: string };
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') {
    return `dial tcp: lookup ${e.hostname ?? addr}: no such host`;
  }
  const text = (e?.code && ERRNO_TEXT[e.code]) ?? e?.message ?? String(err);
  return `dial tcp ${addr}: connect: ${text}`;
}
