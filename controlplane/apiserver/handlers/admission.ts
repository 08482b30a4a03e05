// Admission: checks and mutations that need the rest of the cluster, run after defaulting and
// before validation (upstream admission plugins NamespaceLifecycle, and the Service REST's IP/port
// allocation in pkg/registry/core/service/storage).
import { errors } from '../../api/errors.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import { allocateServiceAddresses } from '../registry/serviceAllocators.ts';
import type { ApiContext } from './context.ts';

type Obj = Record<string, any>;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICES = findResource('', 'v1', 'services')!;

// Objects that may be created in a terminating namespace (upstream: so controllers can finish).
const ALLOWED_IN_TERMINATING = new Set(['events']);

/** NamespaceLifecycle: the namespace must exist, and nothing new goes into one being deleted. */
export async function admitNamespace(ctx: ApiContext, r: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
  if (!r.namespaced || !namespace) return;
  const ns = await ctx.store.tryGet(NAMESPACES, undefined, namespace);
  if (!ns) throw errors.notFound('', 'namespaces', namespace);
  if (ns.metadata.deletionTimestamp && !ALLOWED_IN_TERMINATING.has(r.plural)) {
    throw errors.forbidden(r.group, r.plural, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

/** Allocates clusterIP and nodePorts for a Service being created or updated; returns the 422 causes. */
export async function admitService(ctx: ApiContext, svc: Obj, old: Obj | undefined): Promise<ReturnType<typeof allocateServiceAddresses>> {
  const all = await ctx.store.list(SERVICES, {});
  const others = all.items.filter((s) => !(s.metadata.namespace === svc.metadata.namespace && s.metadata.name === svc.metadata.name));
  return allocateServiceAddresses(svc, others, old, ctx.serviceCidr, ctx.nodePortRange);
}
