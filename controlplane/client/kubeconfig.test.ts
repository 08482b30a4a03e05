import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderKubeconfig } from '../apiserver/kubeconfig.ts';
import { loadKubeconfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadKubeconfig', () => {
  it('reads the embedded CA, certificate and key the API server writes', () => {
    const path = join(dir, 'admin.kubeconfig');
    writeFileSync(path, renderKubeconfig({ server: 'https://127.0.0.1:6443', caCert: 'CA PEM', client: { cert: 'CERT PEM', key: 'KEY PEM' } }));
    expect(loadKubeconfig(path)).toEqual({ server: 'https://127.0.0.1:6443', ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
  });

  it('reads file paths relative to the kubeconfig, and a token', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA FROM FILE');
    const path = join(dir, 'token.kubeconfig');
    writeFileSync(
      path,
      stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority': 'ca.crt' } }],
        users: [{ name: 'u', user: { token: 'abc' } }],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'ctx',
      }),
    );
    expect(loadKubeconfig(path)).toEqual({ server: 'https://10.0.0.1:6443', ca: 'CA FROM FILE', token: 'abc' });
  });

  it('says what is missing', () => {
    const path = join(dir, 'bad.kubeconfig');
    writeFileSync(path, stringify({ contexts: [{ name: 'x', context: { cluster: 'nope', user: 'u' } }], 'current-context': 'x' }));
    expect(() => loadKubeconfig(path)).toThrow(/cluster "nope" not found/);
    writeFileSync(path, 'clusters: [\n');
    expect(() => loadKubeconfig(path)).toThrow(/not valid YAML/);
  });
});
