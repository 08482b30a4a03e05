// Where the kubelet's pods and the objects they reference come from (upstream
// pkg/kubelet/config/apiserver.go NewSourceApiserver, and the configmap/secret managers):
//
//   nodePodsInformer   the pods bound to this node: a list+watch with fieldSelector
//                      spec.nodeName=<node>, so the kubelet never caches other nodes' pods
//   apiObjectLookup    Secrets and ConfigMaps by GET when a pod needs them (upstream's "Get"
//                      change-detection strategy), Services from a shared informer (env vars)
//   apiPodStatusApi    what the status manager writes: PATCH pods/status, the final DELETE
import type { Pod, PodStatus, Secret, ConfigMap, Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { findResource } from '../../controlplane/api/resources.ts';
import { SharedInformer, isNotFound, type Client, type Informer, type InformerFactory, type KubeObject, type ListerWatcher } from '../../controlplane/client/index.ts';
import type { ObjectLookup } from './runtime/index.ts';
import type { PodStatusApi } from './status/statusManager.ts';

type KubePod = Pod & KubeObject;

const PODS = findResource('', 'v1', 'pods')!;
const SECRETS = findResource('', 'v1', 'secrets')!;
const CONFIG_MAPS = findResource('', 'v1', 'configmaps')!;
const SERVICES = findResource('', 'v1', 'services')!;

/**
 * The informer factory keys informers by resource and namespace only, so a field-selected
 * informer is built here from a SharedInformer over a filtered lister-watcher.
 */
export function nodePodsInformer(client: Client, nodeName: string, log: Logger): Informer<KubePod> {
  const pods = client.resource<KubePod>(PODS);
  const fieldSelector = `spec.nodeName=${nodeName}`;
  const lw: ListerWatcher<KubePod> = {
    list: (opts) => pods.list({ ...opts, fieldSelector }),
    watch: (opts, onEvent, signal) => pods.watch({ ...opts, fieldSelector }, onEvent, signal),
  };
  return new SharedInformer<KubePod>(lw, { name: `pods(spec.nodeName=${nodeName})`, logger: log });
}

/**
 * Upstream pkg/kubelet/config podsDifferSemantically: an update that changed only the status
 * (most often the kubelet's own PATCH coming back through the watch) is no reason to sync.
 */
export function podsDifferSemantically(a: Pod, b: Pod): boolean {
  const view = (p: Pod) =>
    JSON.stringify([p.spec, p.metadata?.labels, p.metadata?.annotations, p.metadata?.deletionTimestamp, p.metadata?.deletionGracePeriodSeconds, p.metadata?.ownerReferences]);
  return view(a) !== view(b);
}

export function apiObjectLookup(client: Client, informers: InformerFactory): ObjectLookup {
  const services = informers.informerFor<Service & KubeObject>(SERVICES);
  const getOrUndefined = async <T>(get: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await get();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  return {
    getSecret: (ns, name) => getOrUndefined(() => client.resource<Secret & KubeObject>(SECRETS, ns).get(name)),
    getConfigMap: (ns, name) => getOrUndefined(() => client.resource<ConfigMap & KubeObject>(CONFIG_MAPS, ns).get(name)),
    // Copies: the runtime may sort or extend what it gets, and the cache must never change.
    listServices: async (ns) => services.lister.list(ns).map((s) => structuredClone(s)),
  };
}

export function apiPodStatusApi(client: Client, pods: Informer<KubePod>): PodStatusApi {
  return {
    getPod: (ns, name) => pods.lister.get(ns, name),
    // A merge patch with the whole status: lists (conditions, containerStatuses) are replaced as
    // a whole, which is what the kubelet means — it sends everything it owns plus what it kept.
    // The UID in the patch makes the API server refuse it for a new pod of the same name.
    patchStatus: (ns, name, uid, status: PodStatus) =>
      client.resource<KubePod>(PODS, ns).patch(name, 'merge', { metadata: { uid }, status }, { subresource: 'status' }),
    deletePod: (ns, name, uid) => client.resource<KubePod>(PODS, ns).delete(name, { gracePeriodSeconds: 0, preconditions: { uid } }),
  };
}
