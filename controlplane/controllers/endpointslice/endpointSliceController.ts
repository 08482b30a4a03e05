// The EndpointSlice controller (upstream: pkg/controller/endpointslice/endpointslice_controller.go):
// for every Service with a selector, EndpointSlices (discovery.k8s.io/v1) listing the pods it
// selects — their IPs, readiness, node and resolved ports. The proxy on every node reads these to
// program the Service's load balancing. Handlers map Service, pod and slice events to Service keys;
// syncService plans the slice writes with sliceReconciler and performs them. A deleted Service's
// slices go with it through their ownerReferences (garbage collector).
import type { Logger } from 'pino';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';
import { isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { keyOf, parseKey, withKind } from '../controllerUtils/keys.ts';
import { errorText, runController } from '../controllerUtils/runController.ts';
import { LABEL_SERVICE_NAME, isNamespaceTerminating, podServiceMemberships, serviceSelectsPod, serviceSelector, servicesToUpdateOnPodChange } from './endpointUtil.ts';
import { CONTROLLER_NAME, LABEL_MANAGED_BY, MAX_ENDPOINTS_PER_SLICE, type Slice, type SlicePlan, planSlices } from './sliceReconciler.ts';
import { EndpointSliceTracker, StaleInformerCacheError } from './sliceTracker.ts';
import { TriggerTimeTracker } from './triggerTimeTracker.ts';

/** endpointslice_controller.go maxRetries: 15 (5 ms doubling ≈ 82 s in total). */
export const MAX_RETRIES = 15;

type SvcObj = Service & KubeObject;
type PodObj = Pod & KubeObject;
type NodeObj = Node & KubeObject;

const SERVICES = findResource('', 'v1', 'services')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

export type EndpointSliceControllerDeps = ControllerDeps & {
  /** --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
};

export interface EndpointSliceController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  /** syncService for one "<namespace>/<name>" key. */
  sync(key: string): Promise<void>;
  readonly queue: WorkQueue<string>;
}

export function newEndpointSliceController(deps: EndpointSliceControllerDeps): EndpointSliceController {
  return new SliceController(deps);
}

function managedByUs(slice: KubeObject): boolean {
  return slice.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME;
}

/** ServiceControllerKey: the Service a slice belongs to, from its kubernetes.io/service-name label. */
function serviceKeyOfSlice(slice: KubeObject): string | undefined {
  const name = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return name ? `${slice.metadata.namespace}/${name}` : undefined;
}

class SliceController implements EndpointSliceController {
  readonly queue = createWorkQueue<string>();
  private readonly services: Informer<SvcObj>;
  private readonly pods: Informer<PodObj>;
  private readonly nodes: Informer<NodeObj>;
  private readonly slices: Informer<Slice>;
  private readonly tracker = new EndpointSliceTracker();
  private readonly triggerTimes = new TriggerTimeTracker();
  /** Services that left out a pod because its node was unknown: synced again when a node appears. */
  private readonly waitingForNodes = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly deps: EndpointSliceControllerDeps) {
    this.log = deps.log.child({ controller: 'endpointslice' });
    this.services = deps.informers.informerFor<SvcObj>(SERVICES);
    this.pods = deps.informers.informerFor<PodObj>(PODS);
    this.nodes = deps.informers.informerFor<NodeObj>(NODES);
    this.slices = deps.informers.informerFor<Slice>(SLICES);

    this.services.addEventHandler({
      onAdd: (svc) => this.queue.add(keyOf(svc)),
      onUpdate: (_old, svc) => this.queue.add(keyOf(svc)),
      onDelete: (svc) => this.queue.add(keyOf(svc)),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.enqueueAll(podServiceMemberships(this.servicesIn(pod), pod)),
      onUpdate: (old, pod) => this.enqueueAll(servicesToUpdateOnPodChange(this.servicesIn(pod), old, pod)),
      onDelete: (pod) => this.enqueueAll(podServiceMemberships(this.servicesIn(pod), pod)),
    });
    this.nodes.addEventHandler({
      onAdd: () => {
        this.enqueueAll(this.waitingForNodes);
        this.waitingForNodes.clear();
      },
    });
    this.slices.addEventHandler({
      onAdd: (s) => this.onSliceChange(s),
      onUpdate: (old, s) => {
        // A slice that changed hands or Services concerns both sides.
        if (managedByUs(old) !== managedByUs(s) || serviceKeyOfSlice(old) !== serviceKeyOfSlice(s)) {
          const before = serviceKeyOfSlice(old);
          if (before && managedByUs(old)) this.queue.add(before);
          const after = serviceKeyOfSlice(s);
          if (after && managedByUs(s)) this.queue.add(after);
          return;
        }
        this.onSliceChange(s);
      },
      onDelete: (s) => {
        const key = serviceKeyOfSlice(s);
        if (key && managedByUs(s) && this.tracker.handleDeletion(key, s)) this.queue.add(key);
      },
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return runController(
      { name: 'endpointslice', queue: this.queue, log: this.log, informers: [this.services, this.pods, this.nodes, this.slices], sync: (k) => this.sync(k), maxRetries: MAX_RETRIES },
      workers,
      signal,
    );
  }

  private servicesIn(pod: PodObj): SvcObj[] {
    return this.services.lister.byIndex('namespace', pod.metadata.namespace ?? '');
  }

  private enqueueAll(keys: Iterable<string>): void {
    for (const k of keys) this.queue.add(k);
  }

  /** A slice event we did not cause ourselves (someone edited or created one): converge it. */
  private onSliceChange(s: Slice): void {
    const key = serviceKeyOfSlice(s);
    if (key && managedByUs(s) && this.tracker.shouldSync(key, s)) this.queue.add(key);
  }

  /** syncService */
  async sync(key: string): Promise<void> {
    const { namespace = '', name } = parseKey(key);
    const svc = this.services.lister.get(namespace, name);
    if (!svc) {
      // Deleted: the garbage collector removes its slices through their ownerReferences.
      this.tracker.deleteService(key);
      this.triggerTimes.deleteService(key);
      this.waitingForNodes.delete(key);
      return;
    }
    // ExternalName Services and Services without a selector get no slices from this controller
    // (the latter are for users who write their own EndpointSlices).
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;

    const pods = this.pods.lister.byIndex('namespace', namespace).filter((p) => serviceSelectsPod(svc, p));
    const existing = this.slices.lister
      .byIndex('namespace', namespace)
      .filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === name && managedByUs(s) && !s.metadata.deletionTimestamp);
    if (this.tracker.staleSlices(key, existing)) throw new StaleInformerCacheError(key);

    const triggerTime = this.triggerTimes.compute(key, svc, pods);
    const plan = planSlices({
      service: svc,
      pods,
      existing,
      nodes: (n) => this.nodes.lister.get(undefined, n),
      triggerTime,
      maxEndpointsPerSlice: this.deps.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE,
    });
    const errors: string[] = [];
    try {
      await this.finalize(key, svc, plan);
      this.triggerTimes.remember(key, svc, pods);
    } catch (e) {
      errors.push(errorText(e));
    }
    if (plan.skippedPods.length) {
      this.waitingForNodes.add(key);
      errors.push(...plan.skippedPods.map((p) => `skipping Pod ${p} for Service ${key}: Node ${this.pods.lister.get(namespace, p)?.spec?.nodeName ?? ''} Not Found`));
    }
    if (errors.length) {
      const message = errors.join(', ');
      this.deps.recorder.event(withKind(svc, 'v1', 'Service'), 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${message}`);
      throw new Error(message);
    }
  }

  /** finalize: creates (unless the Service is being deleted), then updates, then deletes. */
  private async finalize(key: string, svc: SvcObj, plan: SlicePlan): Promise<void> {
    const api = this.deps.client.resource<Slice>(SLICES, svc.metadata.namespace);
    // New slices would race the garbage collector that is removing the Service's slices.
    if (!svc.metadata.deletionTimestamp) {
      for (const slice of plan.create) {
        const { name: _n, ...metadata } = slice.metadata;
        try {
          const created = await api.create({ ...slice, metadata: metadata as Slice['metadata'] });
          this.tracker.update(key, created);
          this.log.debug({ service: key, slice: created.metadata.name, endpoints: created.endpoints?.length ?? 0 }, 'created EndpointSlice');
        } catch (e) {
          if (isNamespaceTerminating(e)) return; // creates keep failing until the namespace is gone
          throw new Error(`failed to create EndpointSlice for Service ${key}: ${errorText(e)}`);
        }
      }
    }
    for (const slice of plan.update) {
      try {
        const updated = await api.update(slice);
        this.tracker.update(key, updated);
        this.log.debug({ service: key, slice: updated.metadata.name, endpoints: updated.endpoints?.length ?? 0 }, 'updated EndpointSlice');
      } catch (e) {
        throw new Error(`failed to update ${slice.metadata.name} EndpointSlice for Service ${key}: ${errorText(e)}`);
      }
    }
    for (const slice of plan.delete) {
      try {
        await api.delete(slice.metadata.name);
        this.tracker.expectDeletion(key, slice);
      } catch (e) {
        if (!isNotFound(e)) throw new Error(`failed to delete ${slice.metadata.name} EndpointSlice for Service ${key}: ${errorText(e)}`);
      }
    }
  }
}
