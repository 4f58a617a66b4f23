// Reading a user's suite file for `gradlab report --suite` and `gradlab check --suite`: JSON parsed, modules imported, then validated.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Suite } from '../harness/suite.ts';
import { SuiteError, validateUserSuite } from '../harness/user-suite.ts';
import { loadUserModule } from './load-module.ts';
import { UsageError } from './common.ts';

/**
 * Loads and validates a suite file: `.json` (functions only) or a `.ts`/`.mts`/`.js`/`.mjs` module (functions
 * and families; its default export, else its named exports).
 * @throws UsageError naming the file and the problem (unreadable, not JSON, not a suite).
 */
export async function loadSuiteFile(path: string): Promise<Suite> {
  const ext = extname(path).toLowerCase();
  const name = basename(path);
  let raw: unknown;
  if (ext === '.json') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(`--suite ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--suite ${path}: not valid JSON: ${(error as Error).message}`);
    }
  } else if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    try {
      raw = await loadUserModule(path);
    } catch (error) {
      throw new UsageError(`--suite ${path}: ${(error as Error).message}`);
    }
  } else {
    throw new UsageError(`--suite ${path}: expected a .json, .ts, .mts, .js or .mjs file`);
  }
  try {
    return validateUserSuite(raw, name);
  } catch (error) {
    if (error instanceof SuiteError) throw new UsageError(error.message);
    throw error;
  }
}
