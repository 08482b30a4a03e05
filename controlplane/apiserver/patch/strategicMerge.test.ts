import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { strategicMergePatch } from './strategicMerge.ts';
import fc from 'fast-check';
import { NO_PATCH_META, patchMetaFor } from './patchMeta.ts';
import { mergePatch } from './mergePatch.ts';

const deployment = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...extra } } },
});

interface Case {
  name: string;
  kind: string;
  original: Record<string, unknown>;
  patch: unknown;
  want: unknown;
}

const cases: Case[] = [
  {
    name: 'kubectl apply changing an image merges the container by name and keeps its other fields',
    kind: 'Deployment',
    original: deployment([{ name: 'nginx', image: 'nginx:1.22', ports: [{ containerPort: 80, protocol: 'TCP' }] }]),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } } } },
    want: deployment([{ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80, protocol: 'TCP' }] }]),
  },
  {
    name: 'cordon sets spec.unschedulable and uncordon (null) removes it',
    kind: 'Node',
    original: { kind: 'Node', metadata: { name: 'n1' }, spec: { unschedulable: true, podCIDR: '10.244.1.0/24' } },
    patch: { spec: { unschedulable: null } },
    want: { kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.1.0/24' } },
  },
  {
    name: 'a null label removes the label and leaves the others',
    kind: 'Pod',
    original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { a: null } } },
    want: { metadata: { name: 'p', labels: { b: '2' } } },
  },
  {
    name: 'a null for a key the object lacks is dropped, not stored',
    kind: 'Pod',
    original: { metadata: { name: 'p' } },
    patch: { metadata: { labels: { a: null, b: '2' } }, spec: { nodeName: null } },
    want: { metadata: { name: 'p', labels: { b: '2' } }, spec: {} },
  },
  {
    name: 'rollout restart adds the restartedAt annotation to the pod template',
    kind: 'Deployment',
    original: deployment([{ name: 'nginx', image: 'nginx' }]),
    patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } },
    want: (() => {
      const d = deployment([{ name: 'nginx', image: 'nginx' }]);
      (d.spec.template.metadata as Record<string, unknown>).annotations = { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' };
      return d;
    })(),
  },
  {
    // Upstream mergeSortedSlice puts patch items first unless both items stood in the live list.
    name: 'without $setElementOrder a new container goes before the live ones',
    kind: 'Deployment',
    original: deployment([{ name: 'a', image: 'a' }]),
    patch: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b' }] } } } },
    want: deployment([{ name: 'b', image: 'b' }, { name: 'a', image: 'a' }]),
  },
  {
    name: '$setElementOrder puts a new container where the directive says',
    kind: 'Deployment',
    original: deployment([{ name: 'a', image: 'a' }, { name: 'c', image: 'c' }]),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }], containers: [{ name: 'b', image: 'b' }] } } } },
    want: deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }]),
  },
  {
    name: '$setElementOrder alone reorders the live list',
    kind: 'Deployment',
    original: deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } } } },
    want: deployment([{ name: 'b', image: 'b' }, { name: 'a', image: 'a' }]),
  },
  {
    name: '$patch: delete on an item removes the container with that name',
    kind: 'Deployment',
    original: deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]),
    patch: { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } } } },
    want: deployment([{ name: 'b', image: 'b' }]),
  },
  {
    name: 'kubectl apply dropping a container sends a delete item plus the new order',
    kind: 'Deployment',
    original: deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }]),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ $patch: 'delete', name: 'b' }] } } } },
    want: deployment([{ name: 'c', image: 'c' }, { name: 'a', image: 'a' }]),
  },
  {
    name: 'kubectl apply replacing a finalizer sends order, additions and deletions together',
    kind: 'ConfigMap',
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['a', 'c'], '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['c'] } },
    want: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: '$patch: replace in a list replaces the whole list',
    kind: 'Deployment',
    original: deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]),
    patch: { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c' }] } } } },
    want: deployment([{ name: 'c', image: 'c' }]),
  },
  {
    name: '$patch: replace in a map replaces the map',
    kind: 'Pod',
    original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
    want: { metadata: { name: 'p', labels: { c: '3' } } },
  },
  {
    name: '$patch: delete in a map empties it',
    kind: 'Pod',
    original: { metadata: { name: 'p', labels: { a: '1' } } },
    patch: { metadata: { labels: { $patch: 'delete' } } },
    want: { metadata: { name: 'p', labels: {} } },
  },
  {
    name: 'env merges by name, volumeMounts by mountPath, ports by containerPort',
    kind: 'Pod',
    original: {
      spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], volumeMounts: [{ mountPath: '/d', name: 'd' }], ports: [{ containerPort: 80, name: 'http' }] }] },
    },
    patch: { spec: { containers: [{ name: 'c', env: [{ name: 'B', value: 'x' }], volumeMounts: [{ mountPath: '/d', readOnly: true }], ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
    want: {
      spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'B', value: 'x' }], volumeMounts: [{ mountPath: '/d', name: 'd', readOnly: true }], ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] }] },
    },
  },
  {
    name: 'lists without a patch strategy (tolerations, args) are replaced whole',
    kind: 'Pod',
    original: { spec: { tolerations: [{ key: 'a' }, { key: 'b' }], containers: [{ name: 'c', args: ['x', 'y'] }] } },
    patch: { spec: { tolerations: [{ key: 'c' }], containers: [{ name: 'c', args: ['z'] }] } },
    want: { spec: { tolerations: [{ key: 'c' }], containers: [{ name: 'c', args: ['z'] }] } },
  },
  {
    name: 'finalizers are a set: the union keeps live items first and drops duplicates',
    kind: 'ConfigMap',
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    want: { metadata: { finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: '$deleteFromPrimitiveList removes scalars from a set',
    kind: 'ConfigMap',
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: '$deleteFromPrimitiveList on a missing list leaves the object alone',
    kind: 'ConfigMap',
    original: { metadata: { name: 'x' } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: { metadata: { name: 'x' } },
  },
  {
    name: '$retainKeys clears the keys of a volume it does not name (switching emptyDir to hostPath)',
    kind: 'Pod',
    original: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/data' } }] } },
    want: { spec: { volumes: [{ name: 'v', hostPath: { path: '/data' } }] } },
  },
  {
    name: 'ownerReferences merge by uid',
    kind: 'ReplicaSet',
    original: { metadata: { ownerReferences: [{ uid: '1', name: 'a', controller: true }] } },
    patch: { metadata: { ownerReferences: [{ uid: '2', name: 'b' }, { uid: '1', controller: false }] } },
    want: { metadata: { ownerReferences: [{ uid: '2', name: 'b' }, { uid: '1', name: 'a', controller: false }] } },
  },
  {
    name: 'status conditions merge by type',
    kind: 'Pod',
    original: { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } },
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    want: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] } },
  },
  {
    name: 'service ports merge by port',
    kind: 'Service',
    original: { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    want: { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
  },
  {
    name: 'cronjob pod template containers merge by name',
    kind: 'CronJob',
    original: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'a', command: ['x'] }] } } } } } },
    patch: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'b' }] } } } } } },
    want: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'b', command: ['x'] }] } } } } } },
  },
  {
    name: 'a value of another type replaces the live value',
    kind: 'ConfigMap',
    original: { data: { a: 'x' } },
    patch: { data: 'oops' },
    want: { data: 'oops' },
  },
  {
    name: 'directives inside a field the object lacks never reach the result',
    kind: 'Deployment',
    original: { metadata: { name: 'web' } },
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'n' }], containers: [{ name: 'n', image: 'i', env: null }] } } } },
    want: { metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'n', image: 'i' }] } } } },
  },
];

describe('strategicMergePatch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const before = structuredClone(c.original);
      const patchBefore = structuredClone(c.patch);
      const got = strategicMergePatch(c.original, c.patch, patchMetaFor(c.kind));
      expect(got).toEqual(c.want);
      expect(c.original).toEqual(before);
      expect(c.patch).toEqual(patchBefore);
    });
  }
});

describe('strategicMergePatch rejects malformed patches', () => {
  const bad: { name: string; patch: unknown; code: number; message: RegExp }[] = [
    { name: 'a patch that is not an object', patch: [1, 2], code: 400, message: /cannot unmarshal array/ },
    { name: 'an unknown $patch value on a map', patch: { metadata: { labels: { $patch: 'bogus' } } }, code: 400, message: /unknown patch type: bogus in map/ },
    { name: '$patch: merge inside a list', patch: { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }, code: 400, message: /merging lists cannot yet be specified/ },
    { name: 'a merge-list item without its merge key', patch: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, code: 400, message: /does not contain declared merge key: name/ },
    { name: 'a delete directive without its merge key', patch: { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }, code: 400, message: /does not contain declared merge key: name/ },
    { name: 'a $setElementOrder that is not a list', patch: { spec: { template: { spec: { '$setElementOrder/containers': 'x' } } } }, code: 400, message: /invalid patch format of setElementOrder list/ },
    { name: 'a patch list out of the $setElementOrder order', patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b', image: 'b' }, { name: 'a', image: 'a' }] } } } }, code: 400, message: /doesn't match \$setElementOrder list/ },
    { name: 'a $retainKeys that does not name a key the patch sets', patch: { spec: { template: { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], hostPath: { path: '/' } }] } } } }, code: 400, message: /invalid patch format of retainKeys/ },
    { name: 'a $deleteFromPrimitiveList that is not a list', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, code: 400, message: /invalid patch format of primitive list/ },
    { name: 'a list of lists in a merged list', patch: { metadata: { finalizers: [['a']] } }, code: 422, message: /rejected our request/ },
  ];
  const original = deployment([{ name: 'a', image: 'a' }]);
  for (const b of bad) {
    it(`answers ${b.code} for ${b.name}`, () => {
      let caught: unknown;
      try {
        strategicMergePatch(original, b.patch, patchMetaFor('Deployment'));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ApiError);
      const err = caught as ApiError;
      expect(err.code).toBe(b.code);
      expect(`${err.message} ${JSON.stringify(err.details ?? {})}`).toMatch(b.message);
    });
  }
});

describe('strategicMergePatch properties', () => {
  // Objects without lists or directives: strategic merge patch is exactly RFC 7386 merge patch.
  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean());
  const tree = fc.letrec((tie) => ({
    node: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('node')), { maxKeys: 4 }),
  })).node as fc.Arbitrary<Record<string, unknown>>;
  const patchTree = fc.letrec((tie) => ({
    node: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, fc.constant(null), tie('node')), { maxKeys: 4 }),
  })).node as fc.Arbitrary<Record<string, unknown>>;

  it('equals a JSON merge patch on objects without lists', () => {
    fc.assert(
      fc.property(tree, patchTree, (original, patch) => {
        expect(strategicMergePatch(original, patch, NO_PATCH_META)).toEqual(mergePatch(original, patch));
      }),
    );
  });

  it('applying the same patch twice gives the same result as once', () => {
    fc.assert(
      fc.property(tree, patchTree, (original, patch) => {
        const once = strategicMergePatch(original, patch, NO_PATCH_META);
        expect(strategicMergePatch(once, patch, NO_PATCH_META)).toEqual(once);
      }),
    );
  });
});
