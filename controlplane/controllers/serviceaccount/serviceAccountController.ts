// The service account controller (upstream: pkg/controller/serviceaccount/serviceaccounts_controller.go):
// every active namespace has a ServiceAccount named "default", recreated if someone deletes it.
import { findResource } from '../../api/resources.ts';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';
import { ApiStatusError, isAlreadyExists, isNotFound } from '../../client/types.ts';
import { createWorkQueue } from '../../client/workqueue.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { runController } from '../controllerUtils/runController.ts';

/** DefaultServiceAccountsControllerOptions: just "default". */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

export type ServiceAccountControllerDeps = ControllerDeps & {
  queue?: WorkQueue<string>;
  serviceAccounts?: string[];
};

export interface ServiceAccountController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  sync(namespace: string): Promise<void>;
}

/** The accounts a namespace lacks; none while it is not Active (a Terminating one refuses them). */
export function missingServiceAccounts(ns: KubeObject | undefined, wanted: string[], exists: (name: string) => boolean): string[] {
  if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase && ns.status.phase !== 'Active')) return [];
  return wanted.filter((n) => !exists(n));
}

export function newServiceAccountController(deps: ServiceAccountControllerDeps): ServiceAccountController {
  const { client, informers } = deps;
  const log = deps.log.child({ controller: 'serviceaccount' });
  const queue = deps.queue ?? createWorkQueue();
  const wanted = deps.serviceAccounts ?? DEFAULT_SERVICE_ACCOUNTS;
  const saResource = findResource('', 'v1', 'serviceaccounts')!;
  const namespaces: Informer<KubeObject> = informers.informerFor(findResource('', 'v1', 'namespaces')!);
  const serviceAccounts: Informer<KubeObject> = informers.informerFor(saResource);

  namespaces.addEventHandler({ onAdd: (ns) => queue.add(ns.metadata.name), onUpdate: (_o, ns) => queue.add(ns.metadata.name) });
  serviceAccounts.addEventHandler({
    onDelete: (sa) => {
      if (sa.metadata.namespace && wanted.includes(sa.metadata.name)) queue.add(sa.metadata.namespace);
    },
  });

  async function sync(namespace: string): Promise<void> {
    const ns = namespaces.lister.get(undefined, namespace);
    const missing = missingServiceAccounts(ns, wanted, (name) => serviceAccounts.lister.get(namespace, name) !== undefined);
    for (const name of missing) {
      try {
        await client.resource(saResource, namespace).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
        log.info({ namespace, serviceAccount: name }, 'created service account');
      } catch (e) {
        // Already there (the cache lagged), the namespace is gone, or it started terminating.
        if (isAlreadyExists(e) || isNotFound(e) || (e instanceof ApiStatusError && e.code === 403)) continue;
        throw e;
      }
    }
  }

  return {
    sync,
    run: (workers, signal) => runController({ name: 'serviceaccount', queue, log, informers: [namespaces, serviceAccounts], sync }, workers, signal),
  };
}
