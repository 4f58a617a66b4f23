#!/usr/bin/env node
// The `gradlab` command from a checkout, on the TypeScript source through tsx (no build needed): `node bin/gradlab.js eval x --at x=1`.
// The published package's command is dist/bin/gradlab.js (package.json `bin`), built from src/bin/gradlab.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin/gradlab.ts');
