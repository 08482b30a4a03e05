// The client machinery's default logger; every constructor also takes a logger of its own so a
// component's logs carry its name.
import pino, { type Logger } from 'pino';

export type { Logger };

export const defaultLogger: Logger = pino({ name: 'client', level: process.env.K8TS_LOG_LEVEL ?? 'info' });
