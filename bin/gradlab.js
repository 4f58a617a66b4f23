#!/usr/bin/env node
// The `gradlab` command: runs the TypeScript CLI through tsx, so no build step is needed after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
