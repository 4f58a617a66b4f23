// Loading a user's JavaScript or TypeScript file at run time: TypeScript is stripped with esbuild, relative imports still resolve.
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports a user's module (`.js`, `.mjs`, `.ts`, `.mts`) and returns its exports.
 *
 * A `.ts`/`.mts` file is turned into JavaScript with esbuild's `transform` (types stripped, nothing bundled),
 * written as a temporary `.mjs` file beside the original, so the user's relative imports resolve as they would
 * for the original, imported, and deleted again. esbuild is imported only here, when a TypeScript file is loaded.
 * @throws Error naming the file when it cannot be read, compiled or imported.
 */
export async function loadUserModule(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  const ext = extname(absolute).toLowerCase();
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') {
    return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  }
  if (ext !== '.ts' && ext !== '.mts') throw new Error(`${path}: expected a .ts, .mts, .js or .mjs module`);
  let source: string;
  try {
    source = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const { transform } = await import('esbuild');
  let code: string;
  try {
    ({ code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: absolute }));
  } catch (error) {
    throw new Error(`${path}: not valid TypeScript: ${error instanceof Error ? error.message : String(error)}`);
  }
  const temporary = join(dirname(absolute), `.${basename(absolute, ext)}.${randomBytes(6).toString('hex')}.gradlab.mjs`);
  await writeFile(temporary, code);
  try {
    return (await import(pathToFileURL(temporary).href)) as Record<string, unknown>;
  } finally {
    await rm(temporary, { force: true });
  }
}
