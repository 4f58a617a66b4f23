// Loads the user's own module file (a program or a suite): TypeScript through tsx's loader, JavaScript by a plain import.
//
// This imports exactly the file the user named on the command line, which is what they asked for; no other text
// of theirs is ever evaluated. tsx compiles .ts/.mts/.cts with esbuild in memory, so the user's relative imports
// and node_modules resolve from the file's own directory and nothing is written beside it. tsx is an optional peer
// dependency: a user who never hands gradlab a TypeScript file does not install it, and one who does is told how.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** File extensions that are TypeScript and need the loader. */
const typescript = /\.(ts|mts|cts)$/i;

/**
 * A .ts file outside an ESM package is compiled as CommonJS, and Node then presents its `module.exports` (with
 * `__esModule` and its own `default`) as the namespace's `default`: unwrap it, so `export default` reads as written.
 */
function unwrapCommonJs(namespace: Record<string, unknown>): Record<string, unknown> {
  const inner = namespace.default;
  if (inner !== null && typeof inner === 'object' && (inner as { __esModule?: unknown }).__esModule === true) {
    return { ...(inner as Record<string, unknown>) };
  }
  return namespace;
}

/**
 * The exports of the module at `path` (relative paths resolve from the working directory).
 * @throws Error naming the path when there is no such file, or with the module's own error when it fails to load.
 */
export async function loadUserModule(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) throw new Error(`cannot load ${path}: no such file`);
  const url = pathToFileURL(absolute).href;
  const isTypeScript = typescript.test(absolute);
  let tsx: typeof import('tsx/esm/api') | undefined;
  if (isTypeScript) {
    try {
      tsx = await import('tsx/esm/api');
    } catch {
      throw new Error(`cannot load ${path}: a TypeScript file needs the tsx package (npm install --save-dev tsx), or write it as .js/.mjs`);
    }
  }
  try {
    const loaded = tsx !== undefined ? ((await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>) : ((await import(url)) as Record<string, unknown>);
    return unwrapCommonJs(loaded);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // esbuild (inside tsx) reports a syntax error as "Transform failed with N error(s): file:line:col: ERROR: …".
    if (isTypeScript && message.startsWith('Transform failed')) throw new Error(`${path}: not valid TypeScript: ${message.slice(message.indexOf('\n') + 1)}`);
    throw new Error(`cannot load ${path}: ${message}`);
  }
}
