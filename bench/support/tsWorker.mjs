// Worker threads do not inherit `node --import tsx`: this plain-JavaScript entry registers tsx on
// its own thread, then loads the TypeScript module named in workerData.entry (a file: URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
