// Test runner configuration: every suite under test/, sized for a 2-core machine.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The package's own name resolves to its source (as in tsconfig.json's paths), so user-facing examples run as written.
  resolve: {
    alias: [
      { find: /^gradlab$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^gradlab\/harness$/, replacement: fileURLToPath(new URL('./src/harness/index.ts', import.meta.url)) },
      { find: /^gradlab\/harness\/setup$/, replacement: fileURLToPath(new URL('./src/harness/setup.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The JSON summary lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
