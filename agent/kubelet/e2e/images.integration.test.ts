// Image pull policies end to end (root only): Debian's docker-registry runs in the test's
// namespace with the lab's busybox pushed; the node's containerd mirrors docker.io to it, so
// `busybox:1.35` is pulled through CRI PullImage for real. What the user sees is checked with
// the real kubectl: events and the STATUS column.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { REGISTRY_ADDR, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';
import { buildVariantImage } from '../testing/variantImage.ts';

const isRoot = process.getuid?.() === 0;
/** In the registry only, under its docker.io short name. */
const IMAGE = 'busybox:1.35';

function pod(name: string, image: string, policy: string, command = '["sleep", "3600"]'): string {
  return `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${image}
    imagePullPolicy: ${policy}
    command: ${command}
`;
}

const running = (p: Pod) => !!p.status?.containerStatuses?.[0]?.state?.running;

describe.skipIf(!isRoot)('image pull policies through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('kimg', { registry: true });
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  const reasons = async (name: string) => (await k.events(name)).map((e) => `${e.reason}: ${e.message}`);

  it('IfNotPresent pulls once: the second pod finds the image already present', async () => {
    await k.apply(pod('first', IMAGE, 'IfNotPresent'));
    await k.waitPod('first', running, 'running');
    await k.waitUntil('Pulling and Pulled events', async () => (await k.events('first')).some((e) => e.reason === 'Pulled'));
    const first = await reasons('first');
    expect(first).toContain(`Pulling: Pulling image "${IMAGE}"`);
    expect(first.find((r) => r.startsWith('Pulled:'))).toMatch(new RegExp(`^Pulled: Successfully pulled image "${IMAGE}" in [\\d.]+m?s .*Image size: \\d+ bytes\\.$`));
    const imageID = (await k.getPod('first'))!.status!.containerStatuses![0].imageID;
    expect(imageID).toMatch(/busybox@sha256:[0-9a-f]{64}$/);

    await k.apply(pod('second', IMAGE, 'IfNotPresent'));
    await k.waitPod('second', running, 'running');
    await k.waitUntil('a Pulled event', async () => (await k.events('second')).some((e) => e.reason === 'Pulled'));
    const second = await reasons('second');
    expect(second).toContain(`Pulled: Container image "${IMAGE}" already present on machine`);
    expect(second.some((r) => r.startsWith('Pulling:'))).toBe(false);
    await Promise.all([k.deletePod('first'), k.deletePod('second')]);
  }, 240_000);

  it('Always pulls even when the image is present', async () => {
    await k.apply(pod('always', IMAGE, 'Always'));
    await k.waitPod('always', running, 'running');
    await k.waitUntil('a Pulled event', async () => (await k.events('always')).some((e) => e.reason === 'Pulled'));
    const events = await reasons('always');
    expect(events).toContain(`Pulling: Pulling image "${IMAGE}"`);
    expect(events.find((r) => r.startsWith('Pulled:'))).toMatch(/^Pulled: Successfully pulled image/);
    await k.deletePod('always');
  }, 240_000);

  it('Never with an image that is not on the node: ErrImageNeverPull', async () => {
    await k.apply(pod('never', 'busybox:not-on-this-node', 'Never'));
    await k.waitUntil('ErrImageNeverPull in kubectl get pod', async () => /^never\s+0\/1\s+ErrImageNeverPull\s+0\s+/.test((await k.kubectl(['get', 'pod', 'never', '--no-headers'])).stdout));
    const events = await reasons('never');
    expect(events).toContain('ErrImageNeverPull: Container image "busybox:not-on-this-node" is not present with pull policy of Never');
    expect(events.some((r) => r.startsWith('Pulling:'))).toBe(false);
    await k.deletePod('never');
  }, 240_000);

  it('an image the registry does not have: ErrImagePull, then ImagePullBackOff', async () => {
    await k.apply(pod('missing', 'busybox:no-such-tag', 'IfNotPresent'));
    const seen = new Set<string>();
    await k.waitUntil('ErrImagePull then ImagePullBackOff in kubectl get pod', async () => {
      const m = /^missing\s+0\/1\s+(\S+)\s+/.exec((await k.kubectl(['get', 'pod', 'missing', '--no-headers'])).stdout);
      if (m) seen.add(m[1]);
      return seen.has('ImagePullBackOff');
    }, 120);
    // ErrImagePull may be shown only between two polls; the event always says it.
    const events = await k.events('missing');
    expect(events.find((e) => e.reason === 'Failed')?.message).toMatch(/^Failed to pull image "busybox:no-such-tag": .*not found/);
    expect(events.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "busybox:no-such-tag"')).toBe(true);
    const status = (await k.getPod('missing'))!.status!.containerStatuses![0].state?.waiting;
    expect(status?.reason).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
    await k.deletePod('missing');
  }, 240_000);

  it('Always re-pulls a moved tag: a new pod runs the image the tag now names; IfNotPresent keeps the one on the node', async () => {
    const tag = 'moving:v1';
    const push = async (variant: string) => {
      const dir = join(k.node.dir, `variant-${variant}`);
      const digest = await buildVariantImage(dir, `docker.io/library/${tag}`, variant);
      const res = await k.execIn('skopeo', ['copy', '--quiet', '--insecure-policy', '--dest-tls-verify=false', `oci:${dir}`, `docker://${REGISTRY_ADDR}/library/${tag}`]);
      if (res.code !== 0) throw new Error(`skopeo copy failed: ${res.stderr}`);
      return digest;
    };
    const showVariant = '["sh", "-c", "cat /variant; exec sleep 3600"]';
    const runs = async (name: string, policy: string) => {
      await k.apply(pod(name, tag, policy, showVariant));
      const p = await k.waitPod(name, running, 'running');
      await k.waitUntil(`${name}'s log`, async () => (await k.kubectl(['logs', name])).stdout !== '');
      return { log: (await k.kubectl(['logs', name])).stdout, imageID: p.status!.containerStatuses![0].imageID };
    };

    const digestA = await push('A');
    const a = await runs('tag-a', 'Always');
    expect(a.log).toBe('A\n');
    expect(a.imageID).toBe(`docker.io/library/moving@${digestA}`);

    // The tag moves to another image in the registry.
    const digestB = await push('B');
    expect(digestB).not.toBe(digestA);

    const kept = await runs('tag-kept', 'IfNotPresent');
    expect(kept.log).toBe('A\n');
    expect(kept.imageID).toBe(`docker.io/library/moving@${digestA}`);
    expect((await reasons('tag-kept'))).toContain(`Pulled: Container image "${tag}" already present on machine`);

    const b = await runs('tag-b', 'Always');
    expect(b.log).toBe('B\n');
    expect(b.imageID).toBe(`docker.io/library/moving@${digestB}`);
    // The pod started before keeps running what it started with.
    expect((await k.getPod('tag-a'))!.status!.containerStatuses![0].imageID).toBe(`docker.io/library/moving@${digestA}`);
    await Promise.all(['tag-a', 'tag-kept', 'tag-b'].map((n) => k.deletePod(n)));
  }, 300_000);
});
