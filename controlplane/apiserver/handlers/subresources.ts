// Subresources that are not plain object writes: scale (autoscaling/v1 Scale over a workload's
// spec.replicas), pods/binding (the scheduler's write) and pods/eviction (kubectl drain).
// Upstream: pkg/registry/apps/deployment/storage/storage.go ScaleREST, pkg/registry/core/pod/storage
// BindingREST and eviction.go.
import { errors } from '../../api/errors.ts';
import { formatSelector } from '../../api/selectors.ts';
import { findResource } from '../../api/resources.ts';
import { applyPatch } from '../patch/index.ts';
import { nowTimestamp, type Obj } from '../registry/store.ts';
import { decodeObject, mediaType, readBody, sendJSON, successStatus } from '../http.ts';
import { isDryRun, type RequestScope } from './context.ts';
import { deleteObject } from './delete.ts';

function scaleOf(obj: Obj): Obj {
  const md = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: md.name, namespace: md.namespace, uid: md.uid, resourceVersion: md.resourceVersion, creationTimestamp: md.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: formatSelector(obj.spec?.selector) },
  };
}

export async function handleScale(s: RequestScope): Promise<void> {
  const { resource: r, info } = s;
  if (s.info.verb === 'get') {
    sendJSON(s.res, 200, scaleOf(await s.ctx.store.get(r, info.namespace, info.name!)));
    return;
  }
  const body = await readBody(s.req);
  // kubectl scale --current-replicas sends PUT with no Content-Type: read it as JSON.
  const type = mediaType(s.req);
  const { object } = await s.ctx.store.guaranteedUpdate(
    r,
    info.namespace,
    info.name!,
    (current) => {
      const scale = scaleOf(current);
      const next = s.info.verb === 'update' ? decodeObject(body, type === '' ? 'application/json' : type) : applyPatch(type, scale, body, 'Scale');
      const replicas = next.spec?.replicas;
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw errors.invalid('autoscaling', 'Scale', info.name!, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
      }
      const rv = next.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        throw errors.conflict(r.group, r.plural, info.name!, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      if (current.spec?.replicas !== replicas) {
        current.spec = { ...(current.spec ?? {}), replicas };
        if (current.metadata.generation !== undefined) current.metadata.generation += 1;
      }
      return current;
    },
    { dryRun: isDryRun(s.query) },
  );
  sendJSON(s.res, 200, scaleOf(object));
}

/** POST pods/<name>/binding, or POST bindings with the pod's name in the body. */
export async function handleBinding(s: RequestScope): Promise<void> {
  const binding = decodeObject(await readBody(s.req), mediaType(s.req));
  const podName = s.info.name && s.info.resource === 'pods' ? s.info.name : binding.metadata?.name;
  const node = binding.target?.name;
  if (!podName) throw errors.badRequest('binding: metadata.name is required');
  if (binding.target?.kind && binding.target.kind !== 'Node') throw errors.badRequest(`Invalid target kind: ${binding.target.kind}, must be Node`);
  if (!node) throw errors.invalid('', 'Binding', podName, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  const pods = findResource('', 'v1', 'pods')!;
  await s.ctx.store.guaranteedUpdate(pods, s.info.namespace, podName, (pod) => {
    if (pod.metadata.deletionTimestamp) throw errors.conflict('', 'pods', podName, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec?.nodeName) throw errors.conflict('', 'pods', podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = node;
    const conditions: Obj[] = (pod.status.conditions ?? []).filter((c: Obj) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
    pod.status.conditions = conditions;
    for (const [k, v] of Object.entries(binding.metadata?.annotations ?? {})) (pod.metadata.annotations ??= {})[k] = v;
    return pod;
  });
  sendJSON(s.res, 201, successStatus());
}

/** POST pods/<name>/eviction: no PodDisruptionBudgets are served, so every eviction is allowed. */
export async function handleEviction(s: RequestScope): Promise<void> {
  const eviction = decodeObject(await readBody(s.req), mediaType(s.req));
  if (eviction.metadata?.name && eviction.metadata.name !== s.info.name) {
    throw errors.badRequest(`name in URL does not match name in Eviction object`);
  }
  await deleteObject(s, s.info.name!, eviction.deleteOptions ?? {}, isDryRun(s.query));
  sendJSON(s.res, 201, successStatus());
}
