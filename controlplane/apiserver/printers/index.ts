// Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. The printer of the resource gives
// columns and cells; each row then carries the object as the request's includeObject asks
// (k8s.io/apiserver pkg/endpoints/handlers/response.go asTable).

import { apiVersionOf, type ResourceInfo } from '../../api/resources.ts';
import { printerFor } from './printerRegistry.ts';
import type { KubeObject, Table, TableRow } from './table.ts';

export type { Table, TableColumnDefinition, TableRow, TableCell, TableRowCondition } from './table.ts';
export { humanDuration, translateTimestampSince } from './age.ts';
export { printerFor, hasPrinter } from './printerRegistry.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** The clock ages are measured against. */
  now: Date;
  /** What each row carries: PartialObjectMetadata (the default), the full object, or nothing. */
  includeObject?: IncludeObject;
  /** Copied from the list into the Table's metadata. */
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /**
   * Leave the column definitions out (metav1.TableOptions noHeaders). A watch sends them with
   * its first event only; kubectl keeps using those for the rows that follow.
   */
  noHeaders?: boolean;
}

/** The row's object: what includeObject asks for. kubectl reads namespace and labels from it. */
function rowObject(resource: ResourceInfo, obj: KubeObject, include: IncludeObject): object | undefined {
  switch (include) {
    case 'None':
      return undefined;
    case 'Object': {
      // Items of a list may lack kind and apiVersion; a row's object always has them.
      const typed = obj as { apiVersion?: string; kind?: string };
      return { ...obj, apiVersion: typed.apiVersion ?? apiVersionOf(resource), kind: typed.kind ?? resource.kind };
    }
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
  }
}

/** The Table for these objects of one resource (one object for a GET, all items for a LIST). */
export function toTable(resource: ResourceInfo, objects: object[], opts: TableOptions): Table {
  const printer = printerFor(resource);
  const include = opts.includeObject ?? 'Metadata';
  const rows: TableRow[] = objects.map((obj) => {
    const printed = printer.print(obj, opts.now);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions;
    const object = rowObject(resource, obj as KubeObject, include);
    if (object) row.object = object;
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns,
    rows,
  };
}
