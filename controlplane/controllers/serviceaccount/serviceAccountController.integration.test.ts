// The service account controller against a real API server.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { isNotFound } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newServiceAccountController } from './serviceAccountController.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const ctrl = newServiceAccountController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((s) => ctrl.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

describe('service account controller', () => {
  it('creates default in a new namespace, and again after it is deleted', async () => {
    await h.cp.kubectl(['create', 'namespace', 'team-a']);
    const sas = h.client.r('v1', 'serviceaccounts', 'team-a');
    const first = await until(() => sas.get('default').catch(() => undefined), 'the default service account');
    await sas.delete('default');
    await until(async () => {
      const sa = await sas.get('default').catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      return sa && sa.metadata.uid !== first.metadata.uid;
    }, 'default to be recreated');
  });

  it('the system namespaces get one too', async () => {
    for (const ns of ['default', 'kube-system']) await until(() => h.client.r('v1', 'serviceaccounts', ns).get('default').catch(() => undefined), `default in ${ns}`);
  });
});
