import { describe, expect, it } from 'vitest';
import { findResource, RESOURCES, type ResourceInfo } from '../../api/resources.ts';
import { hasPrinter, printerFor, toTable } from './index.ts';

const now = new Date('2024-06-01T12:00:00Z');
const pods = findResource('', 'v1', 'pods')!;
const pod = {
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' }, resourceVersion: '41', creationTimestamp: '2024-06-01T11:59:00Z' },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.22.1' }], nodeName: 'worker-0' },
  status: { phase: 'Running', podIP: '10.244.1.5', containerStatuses: [{ name: 'nginx', image: 'nginx:1.22.1', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] },
};

describe('toTable', () => {
  it('answers a meta.k8s.io/v1 Table with PartialObjectMetadata rows by default', () => {
    const table = toTable(pods, [pod], { now, resourceVersion: '42' });
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '42' });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(table.rows).toEqual([
      {
        cells: ['nginx', '1/1', 'Running', '0', '60s', '10.244.1.5', 'worker-0', '<none>', '<none>'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata },
      },
    ]);
  });

  it('carries the full object, with kind and apiVersion, for includeObject=Object', () => {
    const row = toTable(pods, [pod], { now, includeObject: 'Object' }).rows[0];
    expect(row.object).toEqual({ apiVersion: 'v1', kind: 'Pod', ...pod });
  });

  it('leaves the object out for includeObject=None', () => {
    const row = toTable(pods, [pod], { now, includeObject: 'None' }).rows[0];
    expect(row).not.toHaveProperty('object');
  });

  it('copies continue and remainingItemCount of a paged list into the metadata', () => {
    const table = toTable(pods, [], { now, resourceVersion: '7', continue: 'abc', remainingItemCount: 3 });
    expect(table.metadata).toEqual({ resourceVersion: '7', continue: 'abc', remainingItemCount: 3 });
    expect(table.rows).toEqual([]);
  });

  it('leaves the column definitions out when asked for no headers', () => {
    const table = toTable(pods, [pod], { now, noHeaders: true });
    expect(table.columnDefinitions).toEqual([]);
    expect(table.rows[0].cells[0]).toBe('nginx');
  });

  it('attaches row conditions of finished pods', () => {
    const done = { ...pod, status: { phase: 'Succeeded' } };
    expect(toTable(pods, [done], { now }).rows[0].conditions?.[0].type).toBe('Completed');
  });

  it('serves the default Name / Created At table for a resource without a printer', () => {
    const roles: ResourceInfo = { ...pods, group: 'rbac.authorization.k8s.io', kind: 'Role', plural: 'roles', singular: 'role' };
    const table = toTable(roles, [{ metadata: { name: 'reader', creationTimestamp: '2024-05-01T10:00:00.123Z' } }, { metadata: { name: 'new' } }], { now });
    expect(table.columnDefinitions.map((c) => [c.name, c.type, c.format])).toEqual([
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ]);
    expect(table.rows.map((r) => r.cells)).toEqual([
      ['reader', '2024-05-01T10:00:00Z'],
      ['new', '0001-01-01T00:00:00Z'],
    ]);
  });
});

describe('printer registry', () => {
  // Binding is create-only: nothing to list, so nothing to print.
  const listable = RESOURCES.filter((r) => r.verbs.includes('list'));

  it('has a printer for every listable resource', () => {
    expect(listable.filter((r) => !hasPrinter(r)).map((r) => r.plural)).toEqual([]);
  });

  it.each(listable.map((r) => [`${r.group || 'core'}/${r.plural}`, r] as const))(
    '%s prints one cell per column, even for an object with only a name',
    (_name, r) => {
      const printer = printerFor(r);
      const row = printer.print({ metadata: { name: 'x' } }, now);
      expect(row.cells).toHaveLength(printer.columns.length);
      expect(printer.columns.filter((c) => c.format === 'name')).toHaveLength(1);
    },
  );
});
