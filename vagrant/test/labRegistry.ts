// The image registry of the three-VM lab on this machine: the lab's images (lab/images/, built
// from Debian packages and cached in /var/cache/k8ts-lab/images) served by Debian's
// docker-registry inside the libvirt namespace, where the VMs reach it on the private network's
// host address. Each node's containerd mirrors docker.io and registry.k8s.io to it
// (K8TS_REGISTRY_MIRROR), so the manifests keep their usual image names. Run by test-vm.sh:
//
//   node --import tsx vagrant/test/labRegistry.ts start --ns vlab --dir DIR [--addr 0.0.0.0:5000]
//   node --import tsx vagrant/test/labRegistry.ts stop --dir DIR

import { parseArgs } from 'node:util';
import { LAB_IMAGES } from '../../lab/images/catalog.ts';
import { ensureImage, pushImage } from '../../lab/images/imageCache.ts';
import { registryPaths, startRegistry, stopRegistry } from '../../lab/registry.ts';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ns: { type: 'string' }, dir: { type: 'string' }, addr: { type: 'string', default: '0.0.0.0:5000' } },
  });
  const [command] = positionals;
  if (!values.dir) throw new Error('--dir is required');
  const paths = registryPaths(values.dir);
  const log = (line: string) => console.log(`  ${line}`);
  if (command === 'stop') {
    await stopRegistry(paths);
    return;
  }
  if (command !== 'start' || !values.ns) throw new Error('usage: labRegistry.ts start --ns NS --dir DIR [--addr HOST:PORT] | stop --dir DIR');
  const pid = await startRegistry(values.ns, paths, values.addr!);
  log(`docker-registry pid ${pid} on ${values.addr} in namespace ${values.ns}`);
  // skopeo pushes from inside the namespace, to the registry's loopback address there.
  const port = values.addr!.split(':').pop();
  for (const recipe of LAB_IMAGES) {
    const image = await ensureImage(recipe, { log });
    await pushImage(image, { ns: values.ns, registry: `127.0.0.1:${port}`, log });
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
