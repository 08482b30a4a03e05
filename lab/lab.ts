// The single-host lab: a master and two workers as network namespaces on this machine, with every
// real component inside them (DESIGN.md, "The lab on one machine").
//
//   labUp(opts)        build and start everything; idempotent (labUp.ts)
//   labDown(opts)      stop everything by PID, remove what up made (labDown.ts)
//   labStatus(opts)    nodes, components, PIDs, health (labStatus.ts)
//   labExec(node, cmd, opts)   a command on a node (its network namespace), stdio inherited
//   labKubeconfig(opts)        where kubectl's kubeconfig is
//
// Options (LabOptions in labPlan.ts) change the prefix, addresses, directories and ports, so a
// test can run a lab of its own next to a user's.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { type LabOptions, labPlan } from './labPlan.ts';
import { namespaceExists } from './netns.ts';

export { labUp, type LabUpOptions } from './labUp.ts';
export { labDown, leftovers, type LabDownOptions } from './labDown.ts';
export { labStatus, formatStatus, type LabStatus } from './labStatus.ts';
export { labPlan, type LabOptions, type LabPlan } from './labPlan.ts';

/** The namespace of a node, accepting the node's name with or without the plan's prefix. */
export function nodeNamespace(node: string, opts: LabOptions = {}): string {
  const plan = labPlan(opts);
  const names = [...plan.nodes.map((n) => n.name), plan.net.lanNamespace];
  const ns = names.find((n) => n === node) ?? names.find((n) => n === `${plan.prefix}${node}`);
  if (!ns) throw new Error(`no lab node ${JSON.stringify(node)}; nodes: ${names.join(', ')}`);
  return ns;
}

/**
 * Runs cmd in the node's network namespace (nsenter, like every lab process) with this terminal's
 * stdio; resolves with its exit code (128 + signal number when killed by a signal).
 */
export function labExec(node: string, cmd: string[], opts: LabOptions = {}): Promise<number> {
  const ns = nodeNamespace(node, opts);
  if (!namespaceExists(ns)) return Promise.reject(new Error(`node ${ns} is not running (k8ts lab up)`));
  if (cmd.length === 0) return Promise.reject(new Error('no command given: k8ts lab exec NODE -- CMD [ARGS...]'));
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', ...cmd], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

export function labKubeconfig(opts: LabOptions = {}): string {
  return labPlan(opts).adminKubeconfig;
}
