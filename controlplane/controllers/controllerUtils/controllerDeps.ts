// What the controller-manager hands every controller (a cut-down ControllerContext, upstream
// cmd/kube-controller-manager/app/controllermanager.go): the client, the shared informer factory,
// the event recorder and a logger. A controller that takes more (a clock, a tunable) declares its
// deps as `ControllerDeps & { ... }`.
import type { Logger } from 'pino';
import type { Client, EventRecorder, InformerFactory } from '../../client/types.ts';

export interface ControllerDeps {
  client: Client;
  informers: InformerFactory;
  recorder: EventRecorder;
  log: Logger;
}
