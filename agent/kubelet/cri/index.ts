// CRI v1 client for the kubelet: `new CriClient({ endpoint })`, typed messages in criTypes.ts.
export { CriClient, CriError, isNotFound, MAX_MESSAGE_BYTES, RUNTIME_REQUEST_TIMEOUT_MS, type CriClientOptions, type CriErrorCode } from './criClient.ts';
export type * from './criTypes.ts';
