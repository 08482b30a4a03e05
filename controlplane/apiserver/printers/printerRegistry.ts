// Which printer serves which resource. Upstream registers one TableConvertor per REST storage
// (pkg/registry/*/storage); here one map keyed by API group and plural.

import type { ResourceInfo } from '../../api/resources.ts';
import { configMapPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './corePrinters.ts';
import { defaultPrinter } from './defaultPrinter.ts';
import { eventPrinter, eventsV1EventPrinter } from './eventPrinter.ts';
import { nodePrinter } from './nodePrinter.ts';
import { podPrinter } from './podPrinter.ts';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './servicePrinters.ts';
import { persistentVolumeClaimPrinter, persistentVolumePrinter } from './storagePrinters.ts';
import type { Printer } from './table.ts';
import {
  controllerRevisionPrinter,
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workloadPrinters.ts';

// Each printer accepts its own kind; the registry hands it objects of that resource only.
type AnyPrinter = Printer<any>;

const PRINTERS: Record<string, AnyPrinter> = {
  '/pods': podPrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/events': eventPrinter,
  '/persistentvolumes': persistentVolumePrinter,
  '/persistentvolumeclaims': persistentVolumeClaimPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/controllerrevisions': controllerRevisionPrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
  'discovery.k8s.io/endpointslices': endpointSlicePrinter,
  'coordination.k8s.io/leases': leasePrinter,
  'events.k8s.io/events': eventsV1EventPrinter,
};

/** The printer for a resource; the default Name / Created At table when it has none. */
export function printerFor(resource: Pick<ResourceInfo, 'group' | 'plural'>): AnyPrinter {
  return PRINTERS[`${resource.group}/${resource.plural}`] ?? defaultPrinter;
}

/** True when the resource has a printer of its own rather than the default table. */
export function hasPrinter(resource: Pick<ResourceInfo, 'group' | 'plural'>): boolean {
  return `${resource.group}/${resource.plural}` in PRINTERS;
}
