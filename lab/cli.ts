// `k8ts lab up | down | status | exec NODE -- CMD... | kubeconfig`
//
//   runLabCommand(argv)  → exit code; argv is what follows `k8ts lab`
//
// `up` prints each step with the time it took; `exec` passes the command's exit code through.

import { parseArgs } from 'node:util';
import { formatStatus, labDown, labExec, labKubeconfig, labStatus, labUp } from './lab.ts';
import type { LabOptions, ProxyMode, Storage } from './labPlan.ts';
import type { LabLogger } from './run.ts';

export const LAB_USAGE = `Usage: k8ts lab <command> [flags]

Commands:
  up            build and start the three-node lab (master, worker-0, worker-1); safe to run again
  down          stop everything the lab started and remove its namespaces, routes and files
  status        nodes, components, PIDs, health and peak memory
  exec NODE -- CMD [ARGS...]   run a command on a node, e.g. k8ts lab exec worker-0 -- iptables-save
  kubeconfig    print the path of kubectl's kubeconfig

Flags of up:
  --storage sqlite|etcd        the control plane's storage (default sqlite; etcd runs a real etcd on master)
  --proxy-mode iptables|nftables|ipvs   (default iptables)
  --no-examples                do not apply examples/
  --no-kubelet                 control plane, containerd and proxies only
Flags of down:
  --purge                      also delete the registry's storage
`;

const stdoutLogger: LabLogger = (line) => process.stdout.write(`${line}\n`);

function upOptions(args: string[]): LabOptions {
  const { values } = parseArgs({
    args,
    options: {
      storage: { type: 'string', default: 'sqlite' },
      'proxy-mode': { type: 'string', default: 'iptables' },
      'no-examples': { type: 'boolean' },
      'no-kubelet': { type: 'boolean' },
    },
    strict: true,
  });
  const storage = values.storage as Storage;
  if (storage !== 'sqlite' && storage !== 'etcd') throw new UsageError(`--storage must be sqlite or etcd, not ${values.storage}`);
  const proxyMode = values['proxy-mode'] as ProxyMode;
  if (!['iptables', 'nftables', 'ipvs'].includes(proxyMode)) throw new UsageError(`--proxy-mode must be iptables, nftables or ipvs, not ${proxyMode}`);
  return { storage, proxyMode, components: { examples: !values['no-examples'], kubelet: !values['no-kubelet'] } };
}

class UsageError extends Error {}

export async function runLabCommand(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'up':
        await labUp({ ...upOptions(rest), log: stdoutLogger });
        return 0;
      case 'down': {
        const { values } = parseArgs({ args: rest, options: { purge: { type: 'boolean' } }, strict: true });
        await labDown({ purge: values.purge, log: stdoutLogger });
        return 0;
      }
      case 'status': {
        const status = await labStatus();
        process.stdout.write(formatStatus(status));
        return status.components.every((c) => c.alive && c.health === 'ok') ? 0 : 1;
      }
      case 'exec': {
        const sep = rest.indexOf('--');
        const node = rest[0];
        const cmd = sep >= 0 ? rest.slice(sep + 1) : rest.slice(1);
        if (!node || node === '--' || cmd.length === 0) throw new UsageError('k8ts lab exec NODE -- CMD [ARGS...]');
        return await labExec(node, cmd);
      }
      case 'kubeconfig':
        process.stdout.write(`${labKubeconfig()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(LAB_USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown lab command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`k8ts lab ${command ?? ''}: ${(err as Error).message}\n${usage ? `\n${LAB_USAGE}` : ''}`);
    return usage ? 2 : 1;
  }
}
