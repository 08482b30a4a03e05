import { describe, expect, it } from 'vitest';
import { configMapPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './corePrinters.ts';

const now = new Date('2024-06-01T12:00:00Z');
const metadata = { name: 'x', creationTimestamp: '2024-05-31T12:00:00Z' };

describe('small printers', () => {
  it('namespace: name, phase, age', () => {
    expect(namespacePrinter.print({ metadata, status: { phase: 'Terminating' } }, now).cells).toEqual(['x', 'Terminating', '24h']);
  });
  it('configmap: counts text and binary keys', () => {
    expect(configMapPrinter.print({ metadata, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now).cells).toEqual(['x', 3, '24h']);
    expect(configMapPrinter.print({ metadata }, now).cells[1]).toBe(0);
  });
  it('secret: type and number of keys', () => {
    expect(secretPrinter.print({ metadata, type: 'Opaque', data: { password: 'cGFzcw==' } }, now).cells).toEqual(['x', 'Opaque', 1, '24h']);
  });
  it('serviceaccount: number of secrets', () => {
    expect(serviceAccountPrinter.print({ metadata }, now).cells).toEqual(['x', 0, '24h']);
  });
  it('lease: holder, empty when free', () => {
    expect(leasePrinter.print({ metadata, spec: { holderIdentity: 'worker-0' } }, now).cells).toEqual(['x', 'worker-0', '24h']);
    expect(leasePrinter.print({ metadata, spec: {} }, now).cells[1]).toBe('');
  });
});
