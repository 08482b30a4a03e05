import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Node } from 'kubernetes-types/core/v1.js';
import { CNI_CONF_FILE, conflistSubnet, renderConflist, writeConflist } from './cniConfig.ts';
import { masqueradeRestoreInput } from './masquerade.ts';
import { desiredRoutes, diffRoutes, parseRoutes } from './podRoutes.ts';

const log = pino({ level: 'silent' });

describe('CNI conflist', () => {
  it('matches the golden file for a node podCIDR', () => {
    const golden = readFileSync(join(import.meta.dirname, 'testdata/10-k8ts.conflist.golden'), 'utf8');
    expect(renderConflist('10.244.1.0/24', '/var/lib/k8ts/worker-0/cni-ipam')).toBe(golden);
  });

  it('is written once, left alone while unchanged, and replaced when the podCIDR changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cni-'));
    try {
      const a = renderConflist('10.244.1.0/24', '/d');
      expect(await writeConflist(join(dir, 'net.d'), a, log)).toBe('created');
      expect(await writeConflist(join(dir, 'net.d'), a, log)).toBe('unchanged');
      const b = renderConflist('10.244.7.0/24', '/d');
      expect(await writeConflist(join(dir, 'net.d'), b, log)).toBe('replaced');
      expect(conflistSubnet(readFileSync(join(dir, 'net.d', CNI_CONF_FILE), 'utf8'))).toBe('10.244.7.0/24');
      expect(readdirSync(join(dir, 'net.d'))).toEqual([CNI_CONF_FILE]); // no temp file left
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a config that would win over ours is only reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cni-'));
    try {
      writeFileSync(join(dir, '05-other.conflist'), '{}');
      const lines: string[] = [];
      const capture = pino({ level: 'warn' }, { write: (s: string) => lines.push(s) });
      expect(await writeConflist(dir, renderConflist('10.244.1.0/24', '/d'), capture)).toBe('created');
      expect(lines.join('')).toContain('05-other.conflist');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const node = (name: string, podCIDR?: string, ip?: string, extra: Partial<Node['metadata']> = {}): Node => ({
  metadata: { name, ...extra },
  spec: podCIDR ? { podCIDR } : {},
  status: ip ? { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } : {},
});

describe('pod routes', () => {
  const nodes = [
    node('master', '10.244.0.0/24', '192.168.56.10'),
    node('worker-1', '10.244.2.0/24', '192.168.56.12'),
    node('worker-0', '10.244.1.0/24', '192.168.56.11'),
    node('new', undefined, '192.168.56.13'), // no podCIDR yet
    node('starting', '10.244.3.0/24'), // no address yet
    node('leaving', '10.244.4.0/24', '192.168.56.14', { deletionTimestamp: '2024-01-01T00:00:00Z' }),
  ];

  it('routes every other node\'s podCIDR via its InternalIP', () => {
    expect(desiredRoutes(nodes, 'worker-0')).toEqual([
      { dst: '10.244.0.0/24', gateway: '192.168.56.10' },
      { dst: '10.244.2.0/24', gateway: '192.168.56.12' },
    ]);
  });

  it.each([
    ['nothing to do when in sync', [{ dst: 'A', gateway: '1' }], [{ dst: 'A', gateway: '1' }], { replace: [], remove: [] }],
    ['adds a missing route', [{ dst: 'A', gateway: '1' }], [], { replace: [{ dst: 'A', gateway: '1' }], remove: [] }],
    ['replaces a route whose node changed address', [{ dst: 'A', gateway: '2' }], [{ dst: 'A', gateway: '1' }], { replace: [{ dst: 'A', gateway: '2' }], remove: [] }],
    ['removes the route of a deleted node', [], [{ dst: 'A', gateway: '1' }], { replace: [], remove: [{ dst: 'A', gateway: '1' }] }],
  ])('%s', (_, desired, actual, diff) => {
    expect(diffRoutes(desired, actual)).toEqual(diff);
  });

  it('reads `ip -j route show proto 87`', () => {
    expect(parseRoutes('[{"dst":"10.244.5.0/24","gateway":"192.168.56.22","dev":"va","flags":[]}]\n')).toEqual([{ dst: '10.244.5.0/24', gateway: '192.168.56.22' }]);
    expect(parseRoutes('[]\n')).toEqual([]);
    expect(parseRoutes('')).toEqual([]);
  });
});

describe('masquerade rule', () => {
  it('masquerades only pod traffic leaving the cluster CIDR, in our own chain', () => {
    expect(masqueradeRestoreInput('10.244.1.0/24', '10.244.0.0/16')).toBe(
      [
        '*nat',
        ':K8TS-POSTROUTING - [0:0]',
        '-A K8TS-POSTROUTING -s 10.244.1.0/24 ! -d 10.244.0.0/16 -m comment --comment "k8ts: pod traffic leaving the pod network" -j MASQUERADE',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });
});
