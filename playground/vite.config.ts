// Vite build of the playground: a static site (page + two Web Workers) built from gradlab's TypeScript source.
//
// No aliases: the core is browser-safe (no node: imports). Where mathjs runs is chosen through gradlab's mathjs host
// interface: the page installs a host that refuses (its thread may not block), the symbolic worker uses the
// in-thread host, and the page terminates that worker when a job overruns its time budget.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  logLevel: 'warn',
  worker: { format: 'es' },
  build: {
    outDir: here('../dist/playground'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    reportCompressedSize: false,
  },
});
