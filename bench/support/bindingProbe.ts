// Counts the scheduler's placement decisions as it makes them: the client handed to the scheduler
// notes the moment each POST pods/<name>/binding is requested (the pod was placed and assumed) in
// memory shared with the benchmark's main thread, which can read it even while the scheduler's
// thread is busy and sends nothing. Beside the bindings a watch sees stored, it separates how fast
// the scheduler decides from how fast its decisions reach the API server.
import { performance } from 'node:perf_hooks';
import type { Client, KubeObject, ResourceClient } from '../../controlplane/client/index.ts';

/** A clock both threads share: epoch milliseconds with sub-millisecond resolution. */
export const sharedNow = () => performance.timeOrigin + performance.now();

/** Layout: one Int32 count (padded to 8 bytes), then one Float64 time per decision. */
export function createProbeBuffer(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(8 + 8 * capacity);
}

export class BindingProbe {
  private readonly counter: Int32Array;
  private readonly at: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.counter = new Int32Array(buffer, 0, 1);
    this.at = new Float64Array(buffer, 8);
  }

  record(): void {
    const i = Atomics.add(this.counter, 0, 1);
    if (i < this.at.length) this.at[i] = sharedNow();
  }

  count(): number {
    return Math.min(Atomics.load(this.counter, 0), this.at.length);
  }

  /** Shared-clock times of the decisions recorded so far, ascending. */
  times(): number[] {
    return Array.from(this.at.subarray(0, this.count())).sort((a, b) => a - b);
  }
}

/** The same client, except that each pods/binding request is recorded first. */
export function probedClient(client: Client, probe: BindingProbe): Client {
  const wrap = <T extends KubeObject>(rc: ResourceClient<T>): ResourceClient<T> => ({
    ...rc,
    createSubresource(name, subresource, body) {
      if (rc.resource.plural === 'pods' && subresource === 'binding') probe.record();
      return rc.createSubresource(name, subresource, body);
    },
  });
  return {
    resource: (r, namespace) => wrap(client.resource(r, namespace)),
    r: (apiVersion, plural, namespace) => wrap(client.r(apiVersion, plural, namespace)),
  };
}
