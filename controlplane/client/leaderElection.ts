// Leader election on a coordination.k8s.io/v1 Lease (client-go tools/leaderelection): candidates
// try to write their identity into the Lease; the holder renews it every retry period; the others
// take over once it has not been renewed for leaseDuration. Every write is an update with the
// resourceVersion read just before, so of two racing candidates one gets 409 and tries again later.
//
// Expiry is judged the way upstream does: not from renewTime in the record (the holder's clock)
// but from when this candidate last saw the record change (its own clock), so clock skew between
// machines cannot make a candidate steal a live lease.
import { findResource } from '../api/resources.ts';
import { sleep } from './backoff.ts';
import { defaultLogger, type Logger } from './log.ts';
import { isAlreadyExists, isConflict, isNotFound, type Client, type KubeObject } from './types.ts';

// kube-controller-manager / kube-scheduler defaults (--leader-elect-lease-duration 15s,
// --leader-elect-renew-deadline 10s, --leader-elect-retry-period 2s).
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
// leaderelection.go JitterFactor: candidates wait retryPeriod·(1 + rand·1.2) between attempts.
const JITTER_FACTOR = 1.2;

export interface LeaderElectionConfig {
  client: Client;
  namespace?: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called once leadership is won; `signal` aborts when it is lost or the election is stopped. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading(): void;
  /** Optional: told whenever a different holder is observed. */
  onNewLeader?(identity: string): void;
  /** Give the lease up when `signal` aborts so another candidate takes over at once (upstream ReleaseOnCancel). */
  releaseOnCancel?: boolean;
  signal: AbortSignal;
  now?: () => number;
  logger?: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type Lease = KubeObject & { spec?: LeaseSpec };

/** Runs until leadership is lost or the signal aborts; onStoppedLeading is called only if it led. */
export async function runLeaderElection(c: LeaderElectionConfig): Promise<void> {
  const leaseDurationMs = c.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
  const renewDeadlineMs = c.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
  const retryPeriodMs = c.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
  // leaderelection.go NewLeaderElector: the same sanity rules upstream enforces.
  if (leaseDurationMs <= renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renewDeadlineMs <= JITTER_FACTOR * retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  const now = c.now ?? Date.now;
  const log = (c.logger ?? defaultLogger).child({ lease: `${c.namespace ?? 'kube-system'}/${c.name}`, identity: c.identity });
  const leases = c.client.resource<Lease>(findResource('coordination.k8s.io', 'v1', 'leases')!, c.namespace ?? 'kube-system');
  const signal = c.signal;

  let observed: { rv?: string; holder: string; durationMs: number; at: number } | undefined;
  let reportedLeader: string | undefined;

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const t = now();
    const spec = (old?: LeaseSpec): LeaseSpec => {
      const held = old?.holderIdentity === c.identity;
      return {
        holderIdentity: c.identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: held && old?.acquireTime ? old.acquireTime : microTime(t),
        renewTime: microTime(t),
        leaseTransitions: held ? (old?.leaseTransitions ?? 0) : (old?.leaseTransitions ?? -1) + 1,
      };
    };
    let lease: Lease;
    try {
      lease = await leases.get(c.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: c.name }, spec: spec() });
        observed = { holder: c.identity, durationMs: leaseDurationMs, at: t };
        return true;
      } catch (e) {
        if (isAlreadyExists(e) || isConflict(e)) return false; // another candidate created it first
        throw e;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (observed?.rv !== lease.metadata.resourceVersion) {
      observed = { rv: lease.metadata.resourceVersion, holder, durationMs: (lease.spec?.leaseDurationSeconds ?? 0) * 1000, at: t };
    }
    const seen = observed!;
    if (holder && holder !== reportedLeader) {
      reportedLeader = holder;
      if (holder !== c.identity) c.onNewLeader?.(holder);
    }
    if (holder && holder !== c.identity && seen.at + seen.durationMs > t) return false; // held by a live leader
    try {
      const updated = await leases.update({ ...lease, spec: spec(lease.spec) });
      observed = { rv: updated.metadata.resourceVersion, holder: c.identity, durationMs: leaseDurationMs, at: t };
      return true;
    } catch (err) {
      if (isConflict(err)) return false; // someone wrote in between: read again next round
      throw err;
    }
  };

  const attempt = async (): Promise<boolean> => {
    try {
      return await tryAcquireOrRenew();
    } catch (err) {
      log.warn({ err: (err as Error).message ?? String(err) }, 'error retrieving or updating the lease');
      return false;
    }
  };

  // 1. Acquire: try every retry period (jittered) until we hold the lease.
  while (!signal.aborted) {
    if (await attempt()) break;
    await sleep(retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), signal);
  }
  if (signal.aborted) return;
  log.info('became leader');
  const leading = new AbortController();
  const stop = () => leading.abort();
  signal.addEventListener('abort', stop, { once: true });
  Promise.resolve()
    .then(() => c.onStartedLeading(leading.signal))
    .catch((err) => log.error({ err }, 'onStartedLeading failed'));

  // 2. Renew every retry period; if no renewal succeeds within renewDeadline, leadership is lost.
  while (!signal.aborted) {
    const deadline = now() + renewDeadlineMs;
    let renewed = false;
    while (!signal.aborted && now() < deadline) {
      if ((renewed = await attempt())) break;
      await sleep(retryPeriodMs, signal);
    }
    if (!renewed && !signal.aborted) {
      log.warn('failed to renew the lease within the renew deadline: leadership lost');
      break;
    }
    await sleep(retryPeriodMs, signal);
  }

  signal.removeEventListener('abort', stop);
  leading.abort();
  if (signal.aborted && c.releaseOnCancel) await release(leases, c.name, c.identity, now(), log);
  c.onStoppedLeading();
}

// leaderelection.go release(): an empty holder and a 1 s lease, so a candidate can take it at once.
async function release(leases: ReturnType<Client['resource']>, name: string, identity: string, t: number, log: Logger): Promise<void> {
  try {
    const lease = (await leases.get(name)) as Lease;
    if (lease.spec?.holderIdentity !== identity) return;
    await leases.update({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(t), acquireTime: microTime(t) } });
  } catch (err) {
    log.warn({ err: (err as Error).message ?? String(err) }, 'could not release the lease');
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
