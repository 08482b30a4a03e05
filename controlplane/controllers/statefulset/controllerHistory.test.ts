import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceClient } from '../../client/types.ts';
import { ApiStatusError } from '../../client/types.ts';
import { revisionsToCleanUp } from '../daemonset/daemonSetHistory.ts';
import type { DS, PodObj as DaemonPod } from '../daemonset/daemonSetUtils.ts';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  createControllerRevision,
  equalRevision,
  hashControllerRevision,
  newControllerRevision,
  sortRevisions,
  templateOf,
  templatePatch,
  type Revision,
} from './controllerHistory.ts';
import { revisionsToTruncate } from './statefulSetRevisions.ts';
import { applyRevision, type PodObj, type STS } from './statefulSetUtils.ts';

const owner: KubeObject = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });
const rev = (image: string, n: number, collisions?: number) => newControllerRevision(owner, 'StatefulSet', { app: 'web' }, templatePatch(template(image)), n, collisions);

describe('controller revisions', () => {
  it('are named <parent>-<hash of the data>, the same for the same template whatever the key order', () => {
    const a = rev('nginx:1', 1);
    const b = newControllerRevision(owner, 'StatefulSet', {}, { spec: { template: { spec: { containers: [{ image: 'nginx:1', name: 'c' }] }, $patch: 'replace', metadata: { labels: { app: 'web' } } } } }, 7);
    expect(a.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(a.metadata.name).toBe(b.metadata.name);
    expect(a.metadata.labels).toEqual({ app: 'web', [CONTROLLER_REVISION_HASH_LABEL]: a.metadata.name.slice(4) });
    expect(equalRevision(a, b)).toBe(true);
    expect(equalRevision(a, rev('nginx:2', 1))).toBe(false);
    expect(rev('nginx:1', 1, 1).metadata.name).not.toBe(a.metadata.name);
    expect(hashControllerRevision(a)).not.toBe(hashControllerRevision(a, 0));
  });

  it('record a template that applying the revision restores', () => {
    const set: STS = { metadata: { name: 'web', namespace: 'ns' }, spec: { selector: {}, serviceName: 'web', template: template('nginx:2') } };
    expect(templateOf(rev('nginx:1', 1))).toEqual(template('nginx:1'));
    expect(applyRevision(set, rev('nginx:1', 1)).spec!.template).toEqual(template('nginx:1'));
  });

  it('sort by revision number', () => {
    expect(sortRevisions([rev('c', 3), rev('a', 1), rev('b', 2)]).map((r) => r.revision)).toEqual([1, 2, 3]);
  });

  it('a name taken by other data bumps the collision count', async () => {
    const taken = rev('other', 1);
    const want = rev('nginx:1', 1, 0);
    const store = new Map<string, Revision>([[want.metadata.name, { ...taken, metadata: { ...taken.metadata, name: want.metadata.name } }]]);
    const client = {
      async create(r: Revision) {
        if (store.has(r.metadata.name)) throw new ApiStatusError(409, 'AlreadyExists', 'exists');
        store.set(r.metadata.name, r);
        return r;
      },
      async get(name: string) {
        return store.get(name)!;
      },
    } as unknown as ResourceClient<Revision>;
    const collisions = { value: 0 };
    const created = await createControllerRevision(client, owner, newControllerRevision(owner, 'StatefulSet', { app: 'web' }, templatePatch(template('nginx:1')), 1, 0), collisions);
    expect(collisions.value).toBe(1);
    expect(created.metadata.name).toBe(rev('nginx:1', 1, 1).metadata.name);
  });
});

describe('history limits', () => {
  const revs = [1, 2, 3, 4].map((n) => rev(`v${n}`, n));
  it('a StatefulSet keeps revisionHistoryLimit non-live revisions, deleting the oldest', () => {
    const set: STS = { metadata: { name: 'web' }, spec: { selector: {}, serviceName: 'web', template: {}, revisionHistoryLimit: 1 } };
    const pod = { metadata: { name: 'web-0', labels: { 'controller-revision-hash': revs[0]!.metadata.name } } } as PodObj;
    // live: revision 1 (a pod) and 4 (current/update); history: 2, 3 → keep 3.
    expect(revisionsToTruncate(set, revs, [pod], [revs[3]!.metadata.name]).map((r) => r.revision)).toEqual([2]);
  });
  it('a DaemonSet deletes old revisions beyond the limit, oldest first, skipping ones a pod still runs', () => {
    const ds: DS = { metadata: { name: 'web' }, spec: { selector: {}, template: {}, revisionHistoryLimit: 1 } };
    const dsRevs = revs.slice(0, 3).map((r) => ({ ...r, metadata: { ...r.metadata, labels: { 'controller-revision-hash': `h${r.revision}` } } }));
    const pod = { metadata: { name: 'p', labels: { 'controller-revision-hash': 'h1' } } } as DaemonPod;
    // three old, limit 1: two to delete; revision 1 is live, so 2 and 3 go.
    expect(revisionsToCleanUp(ds, dsRevs, [pod]).map((r) => r.revision)).toEqual([2, 3]);
  });
});
