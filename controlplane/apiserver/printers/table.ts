// The meta.k8s.io/v1 Table shape and what every printer shares: the column definitions that
// recur (Name, Age, Containers, Images), and the Printer contract. Upstream: apimachinery
// pkg/apis/meta/v1 types (Table, TableColumnDefinition, TableRow) and pkg/printers.

import type { Container } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface TableColumnDefinition {
  name: string;
  /** An OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** An OpenAPI format hint; "name" marks the column holding the object's name. */
  format: string;
  description: string;
  /** 0 shows always; higher shows only with `kubectl get -o wide`. */
  priority: number;
}

export type TableCell = string | number | boolean;

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata, the full object, or absent — as the request's includeObject asks. */
  object?: object;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** One printed row before the object is attached: its cells and, for pods, row conditions. */
export interface PrintedRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
}

/**
 * A printer for one kind. Like upstream's server-side printing, rows always carry the wide
 * (priority > 0) cells; kubectl drops those columns unless asked for `-o wide`.
 */
export interface Printer<T> {
  columns: TableColumnDefinition[];
  print(obj: T, now: Date): PrintedRow;
}

/** Objects as printers receive them: any Kubernetes object with metadata. */
export interface KubeObject {
  metadata?: ObjectMeta;
}

export function column(
  name: string,
  type: string,
  description: string,
  opts: { format?: string; priority?: number } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

// metav1.ObjectMeta{}.SwaggerDoc()["name"] and ["creationTimestamp"].
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn = (): TableColumnDefinition => column('Name', 'string', NAME_DESCRIPTION, { format: 'name' });
export const ageColumn = (): TableColumnDefinition => column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);
export const containersColumn = (): TableColumnDefinition =>
  column('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
export const imagesColumn = (): TableColumnDefinition =>
  column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 });

/** Container names and images, each comma-joined (upstream layoutContainerCells). */
export function layoutContainerCells(containers: Container[] | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return { names: list.map((c) => c.name).join(','), images: list.map((c) => c.image ?? '').join(',') };
}

export const nameOf = (obj: KubeObject): string => obj.metadata?.name ?? '';
