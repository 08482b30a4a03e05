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

/**
 * An EventRecorder's view of a cached object: informer caches may hold list items without
 * apiVersion/kind, but an Event's involvedObject needs them.
 */
export function withKind<T extends Pick<KubeObject, 'metadata'>>(obj: T, apiVersion: string, kind: string): KubeObject {
  return { ...(obj as unknown as KubeObject), apiVersion, kind };
}
