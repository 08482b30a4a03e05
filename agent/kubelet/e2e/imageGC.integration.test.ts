// Image garbage collection end to end (root only): the node has an image no container uses any
// more and one a running pod uses. Restarted with thresholds that make any usage too high
// (--image-gc-high-threshold 1, --image-gc-low-threshold 0, --minimum-image-gc-age 0s), the
// kubelet removes the unused image at once, keeps the one in use and the sandbox image, and
// reports on the Node that it could not free enough (the disk holds far more than images).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { PAUSE_IMAGE } from '../runtime/testing/criTestNode.ts';
import { REGISTRY_ADDR, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';
import { buildVariantImage } from '../testing/variantImage.ts';

const isRoot = process.getuid?.() === 0;
const IN_USE = 'docker.io/library/busybox:1.35';
const UNUSED = 'docker.io/library/gc-unused:v1';

function pod(name: string, image: string, command: string, restartPolicy = 'Always'): string {
  return `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: ${restartPolicy}
  containers:
  - name: main
    image: ${image}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", ${JSON.stringify(command)}]
`;
}

describe.skipIf(!isRoot)('image garbage collection through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('kigc', { registry: true });
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  const nodeImages = async () => {
    const res = await k.kubectl(['get', 'node', k.nodeName, '-o', 'json']);
    return ((JSON.parse(res.stdout) as Node).status?.images ?? []).flatMap((i) => i.names ?? []);
  };
  const runtimeTags = async () => (await k.node.cri.listImages()).flatMap((i) => i.repo_tags);

  it('past the high threshold, an unused image is removed; images in use and the sandbox image stay', async () => {
    const dir = join(k.node.dir, 'gc-unused');
    await buildVariantImage(dir, UNUSED, 'unused');
    const pushed = await k.execIn('skopeo', ['copy', '--quiet', '--insecure-policy', '--dest-tls-verify=false', `oci:${dir}`, `docker://${REGISTRY_ADDR}/library/gc-unused:v1`]);
    expect(pushed.code, pushed.stderr).toBe(0);

    // One image used by a running pod, one used once by a pod that is gone.
    await k.apply(pod('keeper', 'busybox:1.35', 'exec sleep 3600'));
    await k.waitPod('keeper', (p: Pod) => !!p.status?.containerStatuses?.[0]?.state?.running, 'running');
    await k.apply(pod('once', 'gc-unused:v1', 'cat /variant', 'Never'));
    await k.waitPod('once', (p: Pod) => p.status?.phase === 'Succeeded', 'Succeeded');
    await k.deletePod('once');
    await k.waitUntil('the node to list both images', async () => {
      const names = await nodeImages();
      return names.includes(UNUSED) && names.includes(IN_USE);
    });

    await k.restartKubelet({ 'image-gc-high-threshold': '1', 'image-gc-low-threshold': '0', 'minimum-image-gc-age': '0s' });

    await k.waitUntil('the unused image to be removed from the node', async () => !(await runtimeTags()).includes(UNUSED));
    const tags = await runtimeTags();
    expect(tags).toContain(IN_USE);
    expect(tags).toContain(PAUSE_IMAGE);
    await k.waitUntil('the Node status to drop the removed image', async () => !(await nodeImages()).includes(UNUSED));
    expect(await nodeImages()).toContain(IN_USE);

    // The pod using its image runs on, and a new pod finds the image still on the node.
    expect((await k.getPod('keeper'))!.status!.containerStatuses![0].state?.running).toBeDefined();
    await k.apply(pod('again', 'busybox:1.35', 'exec sleep 3600'));
    await k.waitPod('again', (p: Pod) => !!p.status?.containerStatuses?.[0]?.state?.running, 'running');
    await k.waitUntil('a Pulled event', async () => (await k.events('again')).some((e) => e.reason === 'Pulled'));
    expect((await k.events('again')).find((e) => e.reason === 'Pulled')?.message).toBe('Container image "busybox:1.35" already present on machine');

    // The disk holds much more than images: not enough could be freed, and the Node says so.
    const failed = await k.waitUntil('a FreeDiskSpaceFailed event on the Node', async () => {
      const res = await k.kubectl(['get', 'events', '--field-selector', `involvedObject.kind=Node,involvedObject.name=${k.nodeName},reason=FreeDiskSpaceFailed`, '-o', 'jsonpath={.items[0].message}']);
      return res.stdout || undefined;
    });
    expect(failed).toMatch(/^Failed to garbage collect required amount of images\. Attempted to free \d+ bytes, but only found \d+ bytes eligible to free\.$/);
    await Promise.all([k.deletePod('keeper'), k.deletePod('again')]);
  }, 480_000);
});
