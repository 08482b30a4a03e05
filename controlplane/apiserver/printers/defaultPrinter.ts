// The table for kinds without a printer of their own: Name and Created At, as
// k8s.io/apiserver pkg/registry/rest/table.go (defaultTableConvertor) serves them.

import { parseTimestamp } from './age.ts';
import { column, CREATION_TIMESTAMP_DESCRIPTION, nameColumn, nameOf, type KubeObject, type Printer } from './table.ts';

/** Go's time.RFC3339 of a UTC time: whole seconds, "Z"; the zero time when unset. */
export function rfc3339(timestamp: string | undefined): string {
  const ms = parseTimestamp(timestamp);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export const defaultPrinter: Printer<KubeObject> = {
  columns: [nameColumn(), column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION)],
  print: (obj) => ({ cells: [nameOf(obj), rfc3339(obj.metadata?.creationTimestamp)] }),
};
