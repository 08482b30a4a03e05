// For tests while no kubelet exists: plays the kubelet's status part by marking pods Running and
// Ready through pods/status, the way a real kubelet reports a started container that passed its
// readiness probe.
import { findResource } from '../../../api/resources.ts';
import type { Client, KubeObject } from '../../../client/types.ts';
import { isNotFound, isConflict } from '../../../client/types.ts';

const PODS = findResource('', 'v1', 'pods')!;
/** How often the loop looks for new pods. */
const POLL_MS = 100;

const isReady = (p: KubeObject) => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

/** Marks one pod Running and Ready now. */
export async function markPodReady(client: Client, namespace: string, name: string, now = Date.now()): Promise<void> {
  const t = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  await client.resource(PODS, namespace).patch(
    name,
    'merge',
    { status: { phase: 'Running', startTime: t, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }, { type: 'ContainersReady', status: 'True', lastTransitionTime: t }] } },
    { subresource: 'status' },
  );
}

/** Marks every pod of the namespace (optionally a label selector) that is not ready yet. */
export async function markPodsReady(client: Client, namespace: string, labelSelector?: string): Promise<number> {
  const { items } = await client.resource(PODS, namespace).list(labelSelector ? { labelSelector } : {});
  let marked = 0;
  for (const p of items) {
    if (isReady(p) || p.metadata.deletionTimestamp) continue;
    try {
      await markPodReady(client, namespace, p.metadata.name);
      marked++;
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
  return marked;
}

/**
 * Keeps marking new pods ready until the signal aborts. `filter` may hold some pods back (a pod
 * that never becomes ready, to test maxUnavailable and progress deadlines).
 */
export function runFakeKubelet(client: Client, namespace: string, signal: AbortSignal, filter: (pod: KubeObject) => boolean = () => true): Promise<void> {
  return (async () => {
    while (!signal.aborted) {
      try {
        const { items } = await client.resource(PODS, namespace).list();
        for (const p of items) {
          if (signal.aborted) break;
          if (isReady(p) || p.metadata.deletionTimestamp || !filter(p)) continue;
          await markPodReady(client, namespace, p.metadata.name).catch((e) => {
            if (!isNotFound(e) && !isConflict(e)) throw e;
          });
        }
      } catch (e) {
        if (!signal.aborted) throw e;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
}

/** Bounded polling: resolves with fn's first truthy value, rejects with `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
