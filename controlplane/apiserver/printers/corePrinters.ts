// The small tables: `kubectl get ns|cm|secret|sa|leases`. Upstream printNamespace,
// printConfigMap, printSecret, printServiceAccount and printLease
// (pkg/printers/internalversion/printers.go).

import type { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { translateTimestampSince } from './age.ts';
import { ageColumn, column, nameColumn, nameOf, type Printer } from './table.ts';

const count = (m: object | undefined): number => Object.keys(m ?? {}).length;

export const namespacePrinter: Printer<Namespace> = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  print: (ns, now) => ({
    cells: [nameOf(ns), ns.status?.phase ?? '', translateTimestampSince(ns.metadata?.creationTimestamp, now)],
  }),
};

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [
    nameColumn(),
    column('Data', 'string', 'Data contains the configuration data.'),
    ageColumn(),
  ],
  // DATA counts both text and binary keys.
  print: (cm, now) => ({
    cells: [nameOf(cm), count(cm.data) + count(cm.binaryData), translateTimestampSince(cm.metadata?.creationTimestamp, now)],
  }),
};

export const secretPrinter: Printer<Secret> = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'string', 'Data contains the secret data.'),
    ageColumn(),
  ],
  // stringData is write-only: by the time a Secret is stored it has been merged into data.
  print: (s, now) => ({
    cells: [nameOf(s), s.type ?? '', count(s.data), translateTimestampSince(s.metadata?.creationTimestamp, now)],
  }),
};

export const serviceAccountPrinter: Printer<ServiceAccount> = {
  columns: [
    nameColumn(),
    column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    ageColumn(),
  ],
  print: (sa, now) => ({
    cells: [nameOf(sa), (sa.secrets ?? []).length, translateTimestampSince(sa.metadata?.creationTimestamp, now)],
  }),
};

export const leasePrinter: Printer<Lease> = {
  columns: [
    nameColumn(),
    column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    ageColumn(),
  ],
  print: (lease, now) => ({
    cells: [nameOf(lease), lease.spec?.holderIdentity ?? '', translateTimestampSince(lease.metadata?.creationTimestamp, now)],
  }),
};
