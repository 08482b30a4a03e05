import { describe, expect, it } from 'vitest';
import { patchMetaFor, type PatchMeta } from './patchMeta.ts';

const at = (kind: string, path: string): PatchMeta => path.split('.').reduce((m, f) => m.field(f), patchMetaFor(kind));

describe('patchMetaFor', () => {
  // [kind, path, listType, mergeKey, apply list type, apply keys]
  const table: [string, string, string, string | undefined, string, string[]][] = [
    ['Pod', 'metadata.ownerReferences', 'map', 'uid', 'map', ['uid']],
    ['Pod', 'metadata.finalizers', 'set', undefined, 'set', []],
    ['Pod', 'spec.containers', 'map', 'name', 'map', ['name']],
    ['Pod', 'spec.initContainers', 'map', 'name', 'map', ['name']],
    ['Pod', 'spec.ephemeralContainers', 'map', 'name', 'map', ['name']],
    ['Pod', 'spec.containers.ports', 'map', 'containerPort', 'map', ['containerPort', 'protocol']],
    ['Pod', 'spec.containers.env', 'map', 'name', 'map', ['name']],
    ['Pod', 'spec.containers.envFrom', 'atomic', undefined, 'atomic', []],
    ['Pod', 'spec.containers.volumeMounts', 'map', 'mountPath', 'map', ['mountPath']],
    ['Pod', 'spec.containers.volumeDevices', 'map', 'devicePath', 'map', ['devicePath']],
    ['Pod', 'spec.containers.args', 'atomic', undefined, 'atomic', []],
    ['Pod', 'spec.volumes', 'map', 'name', 'map', ['name']],
    ['Pod', 'spec.imagePullSecrets', 'map', 'name', 'map', ['name']],
    ['Pod', 'spec.hostAliases', 'map', 'ip', 'map', ['ip']],
    ['Pod', 'spec.tolerations', 'atomic', undefined, 'atomic', []],
    ['Pod', 'spec.topologySpreadConstraints', 'map', 'topologyKey', 'map', ['topologyKey', 'whenUnsatisfiable']],
    ['Pod', 'status.conditions', 'map', 'type', 'map', ['type']],
    ['Service', 'spec.ports', 'map', 'port', 'map', ['port', 'protocol']],
    ['Node', 'spec.taints', 'atomic', undefined, 'atomic', []],
    ['Node', 'status.conditions', 'map', 'type', 'map', ['type']],
    ['Node', 'status.addresses', 'map', 'type', 'atomic', ['type']],
    ['Deployment', 'spec.template.spec.containers.env', 'map', 'name', 'map', ['name']],
    ['Deployment', 'status.conditions', 'map', 'type', 'map', ['type']],
    ['ReplicaSet', 'spec.template.metadata.finalizers', 'set', undefined, 'set', []],
    ['DaemonSet', 'spec.template.spec.volumes', 'map', 'name', 'map', ['name']],
    ['StatefulSet', 'spec.template.spec.containers', 'map', 'name', 'map', ['name']],
    ['StatefulSet', 'spec.volumeClaimTemplates', 'atomic', undefined, 'atomic', []],
    ['Job', 'spec.template.spec.containers', 'map', 'name', 'map', ['name']],
    ['Job', 'status.conditions', 'map', 'type', 'atomic', ['type']],
    ['CronJob', 'spec.jobTemplate.spec.template.spec.containers', 'map', 'name', 'map', ['name']],
    ['PersistentVolumeClaim', 'status.conditions', 'map', 'type', 'map', ['type']],
    ['ConfigMap', 'metadata.ownerReferences', 'map', 'uid', 'map', ['uid']],
    ['ConfigMap', 'data', 'atomic', undefined, 'atomic', []],
  ];
  for (const [kind, path, listType, mergeKey, applyListType, keys] of table) {
    it(`${kind} ${path} is a ${listType} list${mergeKey ? ` keyed by ${mergeKey}` : ''}`, () => {
      const m = at(kind, path);
      expect([m.listType, m.mergeKey, m.applyListType, [...m.listMapKeys]]).toEqual([listType, mergeKey, applyListType, keys]);
    });
  }

  it('container ports default their protocol key to TCP', () => {
    expect(at('Pod', 'spec.containers.ports').keyDefaults).toEqual({ protocol: 'TCP' });
  });
  it('pod volumes take $retainKeys', () => {
    expect(at('Pod', 'spec.volumes').retainKeys).toBe(true);
    expect(at('Pod', 'spec.containers').retainKeys).toBe(false);
  });
});
