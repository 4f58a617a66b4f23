// The package build: src/ → dist/ (tsc for JavaScript, .d.ts and declaration maps; the plain .mjs modules copied as they are).
//
// Run by `npm run build`, and by npm itself on `prepare` (npm ci, an install from git, and npm pack / publish) and
// `prepack` (npm pack / publish). npm pack runs both scripts, so a dist/ newer than every input of the build is left
// as it is (`--force` rebuilds anyway).
// tsc's rewriteRelativeImportExtensions turns `./x.ts` into `./x.js` in the JavaScript but leaves the `.ts` in
// declaration files, where a consumer's tsc would need allowImportingTsExtensions; this script rewrites those too.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

/** Newest modification time under `path` (a file or a directory tree), milliseconds. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

function distIsFresh() {
  try {
    const built = statSync(join(dist, 'index.js')).mtimeMs;
    return ['src', 'scripts/build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].every((p) => newest(join(root, p)) < built);
  } catch {
    return false;
  }
}

if (!process.argv.includes('--force') && distIsFresh()) {
  // stderr: `npm pack --json` runs this script (prepack) and its stdout must stay JSON.
  console.error('dist/ is newer than its sources: nothing to build (node scripts/build.mjs --force rebuilds)');
  process.exit(0);
}
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) {
  // tsc emits despite type errors: remove that output, so a later run cannot take it for a fresh build.
  rmSync(dist, { recursive: true, force: true });
  process.exit(compiled.status ?? 1);
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

// The worker and its helpers are plain JavaScript with hand-written types: copied, not compiled.
for (const file of filesUnder(src).filter((f) => f.endsWith('.mjs') || f.endsWith('.d.mts'))) {
  cpSync(join(src, file), join(dist, file));
}

// `from './x.ts'` and `import('./x.ts')` in declarations → `.js`, so consumers resolve them without special flags.
const tsSpecifier = /((?:from|import\()\s*['"])(\.{1,2}\/[^'"\n]*?)\.ts(['"])/g;
for (const file of filesUnder(dist).filter((f) => f.endsWith('.d.ts'))) {
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const rewritten = text.replace(tsSpecifier, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(path, rewritten);
}
