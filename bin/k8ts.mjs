#!/usr/bin/env node
// The one entry point: `k8ts <component> [flags]`. TypeScript sources run through tsx's loader,
// so a fresh clone works after `npm ci` with no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./main.ts');
await main(process.argv.slice(2));
