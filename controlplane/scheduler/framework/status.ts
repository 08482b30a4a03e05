// The result of every plugin call (pkg/scheduler/framework/interface.go, Status and Code).
// A plugin never throws to say "no": it returns a Status. Unschedulable means preemption might
// help; UnschedulableAndUnresolvable means it cannot (the node lacks a label, a taint is not
// tolerated...). Reasons are the short texts counted in the FailedScheduling message.

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip';

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that returned it (filled in by the framework). */
  readonly plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: [] });
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: [] });

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });
export const errorStatus = (message: string): Status => ({ code: 'Error', reasons: [message] });

export const isSuccess = (s: Status): boolean => s.code === 'Success';
/** Unschedulable or UnschedulableAndUnresolvable: the pod does not fit; not a failure of the scheduler. */
export const isRejected = (s: Status): boolean => s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable';

export const withPlugin = (s: Status, plugin: string): Status => ({ ...s, plugin });

/** The reasons joined, as upstream's Status.Message(). */
export const statusMessage = (s: Status): string => s.reasons.join(', ');
