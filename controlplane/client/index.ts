// The client machinery's public API: import from here.
export * from './types.ts';
export { loadKubeconfig, parseKubeconfig, type ClusterCredentials } from './kubeconfig.ts';
export { createClient, collectionPath, PATCH_CONTENT_TYPES, type ClosableClient } from './resourceClient.ts';
export { Indexer, objectKey, splitKey, DEFAULT_INDEXES, NAMESPACE_INDEX, NODE_NAME_INDEX, OWNER_UID_INDEX, type IndexFn } from './indexer.ts';
export { SharedInformer, type InformerOptions } from './informer.ts';
export { createInformerFactory, type InformerFactoryOptions } from './informerFactory.ts';
export { Reflector, type ListerWatcher, type ReflectorStore } from './reflector.ts';
export { createWorkQueue, type WorkQueueOptions } from './workqueue.ts';
export { createEventRecorder, type EventSource, type FlushableEventRecorder } from './eventRecorder.ts';
export { runLeaderElection, type LeaderElectionConfig } from './leaderElection.ts';
