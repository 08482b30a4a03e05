// Helpers shared by the controllers: their common deps, controller references, pod readiness and
// deletion order, expectations, slow-start batches, IntOrString scaling and the generic worker loop.
export * from './controllerDeps.ts';
export * from './keys.ts';
export * from './intOrPercent.ts';
export * from './slowStart.ts';
export * from './expectations.ts';
export * from './controllerRef.ts';
export * from './podUtils.ts';
export * from './runController.ts';
export * from './selector.ts';
