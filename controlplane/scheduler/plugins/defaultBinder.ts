// DefaultBinder (plugins/defaultbinder): POST pods/<name>/binding with the chosen node. The API
// server sets spec.nodeName; the kubelet on that node then sees the pod.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.ts';
import type { Client } from '../../client/types.ts';
import type { BindPlugin } from '../framework/interface.ts';
import { errorStatus, SUCCESS, type Status } from '../framework/status.ts';

export function defaultBinder(client: Client) {
  const pods = findResource('', 'v1', 'pods')!;
  return {
    name: 'DefaultBinder',
    async bind(_state, pod: Pod, nodeName: string): Promise<Status> {
      const name = pod.metadata?.name ?? '';
      const namespace = pod.metadata?.namespace ?? 'default';
      try {
        await client.resource(pods, namespace).createSubresource(name, 'binding', {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace, uid: pod.metadata?.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
        });
        return SUCCESS;
      } catch (e) {
        return errorStatus((e as Error).message);
      }
    },
  } satisfies BindPlugin;
}
