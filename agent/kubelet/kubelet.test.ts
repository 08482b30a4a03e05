// The kubelet's pod loop with a runtime, informer and API server in memory: which runtime calls a
// pod's life leads to, in which order. (The real thing, with containerd and a control plane, is
// kubelet.integration.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { Indexer, type EventHandlers, type Informer, type KubeObject } from '../../controlplane/client/index.ts';
import type { CriClient } from './cri/index.ts';
import { Kubelet } from './kubelet.ts';
import { FakeClock } from './prober/clock.ts';
import type { PodSyncResult, RuntimeManager, RuntimePod, RuntimePodStatus, VolumeManager } from './runtime/index.ts';
import type { PodStatusApi } from './status/statusManager.ts';

type KubePod = Pod & KubeObject;
const log = pino({ level: 'silent' });
const NODE = 'node-a';

/** An informer whose events the test sends. */
class FakeInformer implements Informer<KubePod> {
  readonly lister = new Indexer<KubePod>();
  private handlers: EventHandlers<KubePod>[] = [];
  addEventHandler(h: EventHandlers<KubePod>) {
    this.handlers.push(h);
    for (const p of this.lister.list()) h.onAdd?.(p);
  }
  addIndex(name: string, fn: (p: KubePod) => string[]) {
    this.lister.addIndex(name, fn);
  }
  hasSynced() {
    return true;
  }
  run() {}
  add(p: KubePod) {
    this.lister.upsert(p);
    for (const h of this.handlers) h.onAdd?.(p);
  }
  update(p: KubePod) {
    const old = this.lister.get(p.metadata.namespace, p.metadata.name)!;
    this.lister.upsert(p);
    for (const h of this.handlers) h.onUpdate?.(old, p);
  }
  remove(p: KubePod) {
    this.lister.remove(p);
    for (const h of this.handlers) h.onDelete?.(p);
  }
}

/** A runtime that records what it is asked and runs whatever it is told to. */
class FakeRuntime implements RuntimeManager {
  calls: string[] = [];
  running = new Map<string, RuntimePod>();
  phase = new Map<string, PodStatus['phase']>();
  async syncPod(pod: Pod): Promise<PodSyncResult> {
    const uid = pod.metadata!.uid!;
    this.calls.push(`syncPod ${pod.metadata?.name}`);
    const started = this.running.has(uid) ? [] : ['main'];
    this.running.set(uid, { uid, name: pod.metadata!.name!, namespace: 'default', sandboxIds: ['s'], containers: [{ id: `c-${uid}`, name: 'main', state: 'CONTAINER_RUNNING' }] });
    return { failures: new Map(), started, killed: [] };
  }
  async killPod(pod: Pod, grace?: number) {
    this.calls.push(`killPod ${pod.metadata?.name} deletionGrace=${pod.metadata?.deletionGracePeriodSeconds} override=${grace}`);
    this.running.delete(pod.metadata!.uid!);
  }
  async removePod(uid: string) {
    this.calls.push(`removePod ${uid}`);
    this.running.delete(uid);
  }
  async getPodStatus(uid: string): Promise<RuntimePodStatus | undefined> {
    const p = this.running.get(uid);
    return p && { uid, name: p.name, namespace: p.namespace, ips: ['10.244.1.2'], sandboxStatuses: [], containerStatuses: [] };
  }
  apiPodStatus(pod: Pod, status: RuntimePodStatus | undefined): PodStatus {
    return { phase: this.phase.get(pod.metadata!.uid!) ?? (status ? 'Running' : 'Pending'), podIP: status?.ips[0], conditions: [{ type: 'Ready', status: status ? 'True' : 'False' }] };
  }
  async listPods(): Promise<RuntimePod[]> {
    return [...this.running.values()];
  }
}

function fakeApi(informer: FakeInformer) {
  const calls: string[] = [];
  const api: PodStatusApi = {
    getPod: (ns, name) => informer.lister.get(ns, name),
    async patchStatus(ns, name, _uid, status) {
      calls.push(`patch ${name} ${status.phase}`);
      const pod = { ...informer.lister.get(ns, name)!, status };
      informer.update(pod);
      return pod;
    },
    async deletePod(ns, name, uid) {
      calls.push(`delete ${name} uid=${uid}`);
      informer.remove(informer.lister.get(ns, name)!);
    },
  };
  return { api, calls };
}

function pod(name: string, extra: Partial<KubePod['metadata']> = {}): KubePod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra }, spec: { nodeName: NODE, containers: [{ name: 'main', image: 'busybox' }] } };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never happened: ${what}`);
}

describe('Kubelet pod loop', () => {
  let stop: AbortController;
  afterEach(() => stop?.abort());

  function start() {
    const informer = new FakeInformer();
    const runtime = new FakeRuntime();
    const volumeCalls: string[] = [];
    const volumes: VolumeManager = { mountPodVolumes: async () => new Map(), unmountPodVolumes: async (uid) => void volumeCalls.push(`unmount ${uid}`) };
    const cri = { listPodSandbox: async () => [], listContainers: async () => [] } as unknown as CriClient;
    const { api, calls: apiCalls } = fakeApi(informer);
    const kubelet = new Kubelet({
      nodeName: NODE,
      cri,
      runtime,
      volumes,
      lookup: { getSecret: async () => undefined, getConfigMap: async () => undefined, listServices: async () => [] },
      pods: informer,
      statusApi: api,
      log,
      clock: new FakeClock(),
    });
    stop = new AbortController();
    const running = kubelet.run(stop.signal);
    return { informer, runtime, volumeCalls, apiCalls, kubelet, running };
  }

  it('syncs a pod bound to the node and reports its status', async () => {
    const k = start();
    k.informer.add(pod('web'));
    await until('status sent', () => k.apiCalls.includes('patch web Running'));
    expect(k.runtime.calls[0]).toBe('syncPod web');
  });

  it('a deleted pod is killed with its deletion grace period, its volumes released, then deleted from the API with its UID', async () => {
    const k = start();
    k.informer.add(pod('web'));
    await until('running', () => k.runtime.running.has('uid-web'));
    k.informer.update({ ...k.informer.lister.get('default', 'web')!, metadata: { ...pod('web').metadata, deletionTimestamp: '2025-01-01T00:00:00Z', deletionGracePeriodSeconds: 7 } });
    await until('deleted', () => k.apiCalls.some((c) => c.startsWith('delete')));
    expect(k.runtime.calls.filter((c) => !c.startsWith('syncPod'))).toEqual(['killPod web deletionGrace=7 override=undefined', 'removePod uid-web']);
    expect(k.volumeCalls).toEqual(['unmount uid-web']);
    expect(k.apiCalls.at(-1)).toBe('delete web uid=uid-web');
    expect(k.apiCalls).toContain('patch web Failed');
    // Housekeeping forgets the finished worker once the API object is gone.
    await k.kubelet.housekeeping();
    expect(k.kubelet.podWorkers.knownUids()).toEqual([]);
  });

  it('a pod gone from the API without a graceful deletion (force delete, unbound) is killed', async () => {
    const k = start();
    k.informer.add(pod('web'));
    await until('running', () => k.runtime.running.has('uid-web'));
    k.informer.remove(k.informer.lister.get('default', 'web')!);
    await until('removed', () => k.runtime.calls.includes('removePod uid-web'));
    expect(k.runtime.calls).toContain('killPod web deletionGrace=undefined override=undefined');
    expect(k.apiCalls.filter((c) => c.startsWith('delete'))).toEqual([]);
  });

  it('a pod that ran to completion keeps its containers and its API object', async () => {
    const k = start();
    k.runtime.phase.set('uid-job', 'Succeeded');
    k.informer.add(pod('job'));
    await until('terminated', () => k.kubelet.podWorkers.isReclaimed('uid-job'));
    await until('final status', () => k.apiCalls.includes('patch job Succeeded'));
    expect(k.runtime.calls).toEqual(['syncPod job', 'syncPod job']);
    expect(k.volumeCalls).toEqual(['unmount uid-job']);
    expect(k.apiCalls.filter((c) => c.startsWith('delete'))).toEqual([]);
  });

  it('housekeeping removes what the runtime runs for a pod the API server does not have', async () => {
    const k = start();
    k.runtime.running.set('uid-ghost', { uid: 'uid-ghost', name: 'ghost', namespace: 'default', sandboxIds: ['s'], containers: [] });
    await k.kubelet.housekeeping();
    await until('orphan removed', () => k.runtime.calls.includes('removePod uid-ghost'));
    expect(k.runtime.calls).toEqual(['removePod uid-ghost']);
  });

  it('an update that only changed the status is no reason to sync; a label change is', async () => {
    const k = start();
    k.informer.add(pod('web'));
    await until('synced', () => k.apiCalls.includes('patch web Running'));
    const current = k.informer.lister.get('default', 'web')!;
    k.informer.update({ ...current, status: { ...current.status, message: 'someone wrote this' } });
    await until('idle', () => k.kubelet.podWorkers.idle());
    expect(k.runtime.calls).toEqual(['syncPod web']);
    k.informer.update({ ...current, metadata: { ...current.metadata, labels: { tier: 'web' } } });
    await until('synced again', () => k.runtime.calls.length === 2);
  });

  it('adopts a pod the runtime already runs: the first sync starts nothing', async () => {
    const k = start();
    k.runtime.running.set('uid-web', { uid: 'uid-web', name: 'web', namespace: 'default', sandboxIds: ['s'], containers: [{ id: 'c', name: 'main', state: 'CONTAINER_RUNNING' }] });
    k.informer.add(pod('web'));
    await until('synced', () => k.apiCalls.includes('patch web Running'));
    await k.kubelet.housekeeping();
    expect(k.runtime.calls).toEqual(['syncPod web']);
    expect(k.runtime.running.has('uid-web')).toBe(true);
  });
});
