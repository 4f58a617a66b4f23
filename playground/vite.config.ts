// Vite build of the playground: a static site (page + two Web Workers) built from gradlab's TypeScript source.
//
// The one alias: src/diff/symbolic/mathjs-runner.ts (Node worker_threads + Atomics.wait) is replaced by
// playground/src/mathjs-runner.browser.ts, which runs mathjs in the calling thread (the playground's Web Worker).
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const nodeRunner = here('../src/diff/symbolic/mathjs-runner.ts');
const browserRunner = here('./src/mathjs-runner.browser.ts');

/** Redirects every import that resolves to the Node mathjs runner to the browser one (imports are relative, so match the resolved path). */
function browserRunnerAlias(): Plugin {
  return {
    name: 'gradlab-browser-mathjs-runner',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!source.includes('mathjs-runner')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved !== null && resolved.id === nodeRunner ? browserRunner : null;
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  logLevel: 'warn',
  plugins: [browserRunnerAlias()],
  worker: { format: 'es', plugins: () => [browserRunnerAlias()] },
  build: {
    outDir: here('../dist/playground'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    reportCompressedSize: false,
  },
});
