// The Endpoints controller (upstream: pkg/controller/endpoint/endpoints_controller.go): for every
// Service with a selector, a core/v1 Endpoints object of the same name listing the selected pods'
// addresses and ports. The proxy reads EndpointSlices; Endpoints are what `kubectl get ep` and
// `kubectl describe svc` show, and what older clients read. The object is written only when its
// subsets or labels change, and deleted with the Service (it has no ownerReference).
import type { Logger } from 'pino';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { keyOf, parseKey } from '../controllerUtils/keys.ts';
import { errorText, runController } from '../controllerUtils/runController.ts';
import { API_SERVER_SERVICE, isNamespaceTerminating, podServiceMemberships, serviceSelectsPod, servicesToUpdateOnPodChange } from '../endpointslice/endpointUtil.ts';
import { TriggerTimeTracker } from '../endpointslice/triggerTimeTracker.ts';
import { type EndpointsObj, desiredSubsets, endpointsToWrite, managesEndpoints } from './endpointsSubsets.ts';

/** endpoints_controller.go maxRetries: 15. */
export const MAX_RETRIES = 15;

type SvcObj = Service & KubeObject;
type PodObj = Pod & KubeObject;

const SERVICES = findResource('', 'v1', 'services')!;
const PODS = findResource('', 'v1', 'pods')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;

export interface EndpointsController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  /** syncService for one "<namespace>/<name>" key. */
  sync(key: string): Promise<void>;
  readonly queue: WorkQueue<string>;
}

export function newEndpointsController(deps: ControllerDeps): EndpointsController {
  return new Controller(deps);
}

function isApiServerService(namespace: string, name: string): boolean {
  return namespace === API_SERVER_SERVICE.namespace && name === API_SERVER_SERVICE.name;
}

class Controller implements EndpointsController {
  readonly queue = createWorkQueue<string>();
  private readonly services: Informer<SvcObj>;
  private readonly pods: Informer<PodObj>;
  private readonly endpoints: Informer<EndpointsObj>;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly log: Logger;

  constructor(private readonly deps: ControllerDeps) {
    this.log = deps.log.child({ controller: 'endpoints' });
    this.services = deps.informers.informerFor<SvcObj>(SERVICES);
    this.pods = deps.informers.informerFor<PodObj>(PODS);
    this.endpoints = deps.informers.informerFor<EndpointsObj>(ENDPOINTS);

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
    // onEndpointsDelete: someone deleted Endpoints of a Service we manage — write them again.
    this.endpoints.addEventHandler({ onDelete: (ep) => this.queue.add(keyOf(ep)) });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return runController(
      { name: 'endpoints', queue: this.queue, log: this.log, informers: [this.services, this.pods, this.endpoints], sync: (k) => this.sync(k), maxRetries: MAX_RETRIES },
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

  /** syncService */
  async sync(key: string): Promise<void> {
    const { namespace = '', name } = parseKey(key);
    if (isApiServerService(namespace, name)) return; // the API server owns these Endpoints
    const api = this.deps.client.resource<EndpointsObj>(ENDPOINTS, namespace);
    const svc = this.services.lister.get(namespace, name);
    if (!svc) {
      // The Service is gone: so are its Endpoints (they carry no ownerReference for the GC).
      this.triggerTimes.deleteService(key);
      try {
        await api.delete(name);
        this.log.debug({ service: key }, 'deleted Endpoints of a deleted Service');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    if (!managesEndpoints(svc)) return;

    const pods = this.pods.lister.byIndex('namespace', namespace).filter((p) => serviceSelectsPod(svc, p));
    const triggerTime = this.triggerTimes.compute(key, svc, pods);
    const subsets = desiredSubsets(svc, pods);
    const current = this.endpoints.lister.get(namespace, name);
    const next = endpointsToWrite(current, svc, subsets, triggerTime);
    if (!next) {
      this.triggerTimes.remember(key, svc, pods);
      return;
    }

    try {
      if (current) await api.update(next);
      else await api.create(next);
      this.triggerTimes.remember(key, svc, pods);
      this.log.debug({ service: key, subsets: next.subsets?.length ?? 0 }, current ? 'updated Endpoints' : 'created Endpoints');
    } catch (e) {
      // Creates keep failing in a namespace being deleted; nothing to retry.
      if (!current && isNamespaceTerminating(e)) return;
      // Our cache lagged behind our own last write: the retry reads it fresh. Nothing to report.
      if (isAlreadyExists(e) || isConflict(e)) throw e;
      if (current) this.deps.recorder.event(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${key}: ${errorText(e)}`);
      else this.deps.recorder.event(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${key}: ${errorText(e)}`);
      throw e;
    }
  }
}
