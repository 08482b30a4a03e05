import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/types.ts';
import { missingServiceAccounts } from './serviceAccountController.ts';

const ns = (o: { phase?: string; deleting?: boolean } = {}): KubeObject => ({ metadata: { name: 'team', ...(o.deleting ? { deletionTimestamp: 'x' } : {}) }, status: o.phase ? { phase: o.phase } : {} });

describe('missingServiceAccounts', () => {
  it.each([
    ['an active namespace without default', ns({ phase: 'Active' }), [], ['default']],
    ['an active namespace with default', ns({ phase: 'Active' }), ['default'], []],
    ['a namespace with no phase yet counts as active', ns(), [], ['default']],
    ['a terminating namespace gets nothing', ns({ phase: 'Terminating', deleting: true }), [], []],
    ['a namespace that is gone gets nothing', undefined, [], []],
  ])('%s', (_n, namespace, existing, want) => {
    expect(missingServiceAccounts(namespace, ['default'], (n) => (existing as string[]).includes(n))).toEqual(want);
  });
});
