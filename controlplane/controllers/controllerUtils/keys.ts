// Work-queue keys, as client-go's MetaNamespaceKeyFunc / SplitMetaNamespaceKey: "<namespace>/<name>",
// or "<name>" for cluster-scoped objects.
import type { KubeObject } from '../../client/types.ts';

export function keyOf(obj: Pick<KubeObject, 'metadata'>): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export function parseKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
