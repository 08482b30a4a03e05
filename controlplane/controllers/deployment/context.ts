// What the strategy files (sync, rolling, recreate, progress) need from the controller: clients,
// the replica set cache, the event recorder, a clock and a way to look again later.
import type { Logger } from 'pino';
import type { DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import type { EventRecorder, Lister, ResourceClient } from '../../client/types.ts';
import type { Deploy, RS } from './deploymentUtil.ts';

export interface DeploymentContext {
  rsClient(namespace: string): ResourceClient<RS>;
  deployClient(namespace: string): ResourceClient<Deploy>;
  rsLister: Lister<RS>;
  recorder: EventRecorder;
  log: Logger;
  now(): number;
  enqueueAfter(d: Deploy, delayMs: number): void;
  enqueueRateLimited(d: Deploy): void;
}

/**
 * Writes a deployment's status (and, first, its revision annotation when it changed — the status
 * subresource here keeps metadata as it was, so the annotation goes through a merge patch). The
 * in-memory copy takes the new resourceVersion so a later write in the same sync does not conflict
 * with this one.
 */
export async function writeDeployment(ctx: DeploymentContext, d: Deploy, what: { revision?: string; status?: DeploymentStatus }): Promise<void> {
  const client = ctx.deployClient(d.metadata.namespace!);
  if (what.revision !== undefined) {
    const patched = await client.patch(d.metadata.name, 'merge', {
      metadata: { annotations: { 'deployment.kubernetes.io/revision': what.revision }, resourceVersion: d.metadata.resourceVersion },
    });
    d.metadata.resourceVersion = patched.metadata.resourceVersion;
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': what.revision };
  }
  if (what.status !== undefined) {
    const next = structuredClone(d);
    next.status = what.status;
    const updated = await client.updateStatus(next);
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
    d.status = what.status;
  }
}
