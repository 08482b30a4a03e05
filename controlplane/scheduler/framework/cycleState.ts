// Per-cycle plugin state (pkg/scheduler/framework/cycle_state.go). A PreFilter or PreScore
// computes something once per pod; Filter and Score read it per node. Keys carry the value's
// type, so a read needs no cast.

export class StateKey<T> {
  declare private readonly _type: T;
  constructor(readonly name: string) {}
}

export class CycleState {
  private readonly values = new Map<StateKey<unknown>, unknown>();

  write<T>(key: StateKey<T>, value: T): void {
    this.values.set(key as StateKey<unknown>, value);
  }

  read<T>(key: StateKey<T>): T | undefined {
    return this.values.get(key as StateKey<unknown>) as T | undefined;
  }
}
