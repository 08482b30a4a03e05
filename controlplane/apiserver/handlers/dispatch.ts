// Routes a resource request to its handler by verb and subresource, after checking that the
// resource and the verb exist (404 for an unknown kind, 405 for a verb it does not have).
import { errors } from '../../api/errors.ts';
import { findResource } from '../../api/resources.ts';
import type { ResourceRequest } from '../requestInfo.ts';
import type { RequestScope } from './context.ts';
import { handleGet, handleList } from './read.ts';
import { handleWatch } from './watch.ts';
import { handleCreate, handlePatch, handleUpdate } from './write.ts';
import { handleDelete, handleDeleteCollection } from './delete.ts';
import { handleBinding, handleEviction, handleScale } from './subresources.ts';
import { handleNodeProxy } from './nodeProxy.ts';

export function resolveResource(info: ResourceRequest) {
  const r = findResource(info.group, info.version, info.resource);
  if (!r) throw errors.pathNotFound();
  if (info.subresource && !r.subresources.some((s) => s.name === info.subresource)) throw errors.pathNotFound();
  if (!r.namespaced && info.namespace) throw errors.pathNotFound();
  return r;
}

export async function dispatch(s: RequestScope): Promise<void> {
  const { info, resource: r } = s;
  const sub = info.subresource;
  const notAllowed = () => errors.methodNotAllowed();

  if (r.plural === 'bindings') {
    if (info.verb !== 'create') throw notAllowed();
    return handleBinding(s);
  }
  if (sub === 'scale') {
    if (!['get', 'update', 'patch'].includes(info.verb)) throw notAllowed();
    return handleScale(s);
  }
  if (sub === 'binding') {
    if (info.verb !== 'create') throw notAllowed();
    return handleBinding(s);
  }
  if (sub === 'eviction') {
    if (info.verb !== 'create') throw notAllowed();
    return handleEviction(s);
  }
  if (sub === 'log' || sub === 'exec' || sub === 'portforward' || sub === 'attach') return handleNodeProxy(s);
  if (sub === 'status' || sub === 'finalize') {
    if (info.verb === 'get') return handleGet(s);
    if (info.verb === 'update') return handleUpdate(s);
    if (info.verb === 'patch') return handlePatch(s);
    throw notAllowed();
  }

  if (!r.verbs.includes(info.verb === 'connect' ? 'get' : info.verb)) throw notAllowed();
  switch (info.verb) {
    case 'get':
      return handleGet(s);
    case 'list':
      return handleList(s);
    case 'watch':
      return handleWatch(s);
    case 'create':
      if (info.name) throw notAllowed();
      return handleCreate(s);
    case 'update':
      if (!info.name) throw notAllowed();
      return handleUpdate(s);
    case 'patch':
      if (!info.name) throw notAllowed();
      return handlePatch(s);
    case 'delete':
      return handleDelete(s);
    case 'deletecollection':
      return handleDeleteCollection(s);
    default:
      throw notAllowed();
  }
}
