// The controller-manager: every controller in one process sharing one informer factory, started
// together once this instance holds the kube-controller-manager Lease (upstream:
// cmd/kube-controller-manager/app/controllermanager.go, NewControllerDescriptors). Worker counts
// follow upstream's --concurrent-*-syncs defaults, scaled down for a 1 GiB master.
import type { ControllerDeps } from './controllerUtils/controllerDeps.ts';
import { newDeploymentController } from './deployment/deploymentController.ts';
import { newReplicaSetController } from './replicaset/replicaSetController.ts';
import { newNamespaceController } from './namespace/namespaceController.ts';
import { newServiceAccountController } from './serviceaccount/serviceAccountController.ts';
import { newNodeIpamController } from './nodeipam/nodeIpamController.ts';
import { newNodeLifecycleController } from './nodelifecycle/nodeLifecycleController.ts';
import { newPodGcController } from './podgc/podGcController.ts';
import { newGarbageCollector } from './garbagecollector/garbageCollector.ts';
import { newPersistentVolumeController } from './persistentvolume/pvController.ts';
import { newEndpointsController } from './endpoints/endpointsController.ts';
import { newJobController } from './job/jobController.ts';
import { newDaemonSetController } from './daemonset/daemonSetController.ts';
import { newStatefulSetController } from './statefulset/statefulSetController.ts';
import { newCronJobController } from './cronjob/cronJobController.ts';
import { newEndpointSliceController } from './endpointslice/endpointSliceController.ts';

export type { ControllerDeps };

export interface ControllerManagerOptions {
  /** --cluster-cidr for node IPAM (default 10.244.0.0/16). */
  clusterCIDR?: string;
  /** --node-monitor-grace-period in ms (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** --controllers: names to run; default all. */
  controllers?: string[];
}

interface ControllerDescriptor {
  name: string;
  workers: number;
  start(deps: ControllerDeps, o: ControllerManagerOptions): { run(workers: number, signal: AbortSignal): Promise<void> };
}

export const CONTROLLERS: ControllerDescriptor[] = [
  { name: 'deployment', workers: 2, start: (d) => newDeploymentController(d) },
  { name: 'replicaset', workers: 2, start: (d) => newReplicaSetController(d) },
  { name: 'namespace', workers: 2, start: (d) => newNamespaceController(d) },
  { name: 'serviceaccount', workers: 1, start: (d) => newServiceAccountController(d) },
  { name: 'nodeipam', workers: 1, start: (d, o) => newNodeIpamController({ ...d, clusterCIDR: o.clusterCIDR }) },
  { name: 'nodelifecycle', workers: 1, start: (d, o) => newNodeLifecycleController({ ...d, nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs }) },
  { name: 'podgc', workers: 1, start: (d) => newPodGcController(d) },
  // upstream --concurrent-gc-syncs is 20; most of its time is spent waiting on the API server.
  { name: 'garbagecollector', workers: 4, start: (d) => newGarbageCollector(d) },
  { name: 'persistentvolume-binder', workers: 1, start: (d) => newPersistentVolumeController(d) },
  { name: 'endpoint', workers: 2, start: (d) => newEndpointsController(d) },
  { name: 'endpointslice', workers: 2, start: (d) => newEndpointSliceController(d) },
  { name: 'daemonset', workers: 2, start: (d) => newDaemonSetController(d) },
  { name: 'statefulset', workers: 2, start: (d) => newStatefulSetController(d) },
  { name: 'job', workers: 2, start: (d) => newJobController(d) },
  { name: 'cronjob', workers: 1, start: (d) => newCronJobController(d) },
];

/** Starts the selected controllers and runs until the signal aborts; the first one to fail fails all. */
export async function runControllerManager(deps: ControllerDeps, o: ControllerManagerOptions, signal: AbortSignal): Promise<void> {
  const wanted = o.controllers?.length ? new Set(o.controllers) : undefined;
  const unknown = [...(wanted ?? [])].filter((n) => !CONTROLLERS.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown controllers: ${unknown.join(', ')} (known: ${CONTROLLERS.map((c) => c.name).join(', ')})`);
  const selected = CONTROLLERS.filter((c) => !wanted || wanted.has(c.name));
  const runs = selected.map((c) => {
    const log = deps.log.child({ controller: c.name });
    const controller = c.start({ ...deps, log }, o);
    log.info({ workers: c.workers }, 'starting controller');
    return controller.run(c.workers, signal).catch((err) => {
      throw new Error(`controller ${c.name} failed: ${(err as Error).message}`);
    });
  });
  deps.informers.start(signal);
  await Promise.all(runs);
}
