// Which packages of node_modules an entry point loads: a fresh node with a resolve hook that records every resolved URL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.GRADLAB_TRACE, resolved.url + '\\n');
  return resolved;
}`;

/** The packages (by name, sorted) whose files a fresh `import(entry)` resolves, statically or at import time. */
export function loadedPackages(entry: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-probe-'));
  try {
    writeFileSync(join(dir, 'hooks.mjs'), hooks);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    writeFileSync(join(dir, 'trace.txt'), '');
    const result = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', `await import(${JSON.stringify(entry)})`], {
      encoding: 'utf8',
      env: { ...process.env, GRADLAB_TRACE: join(dir, 'trace.txt') },
    });
    if (result.status !== 0) throw new Error(`importing ${entry} failed: ${result.stderr}`);
    const names = readFileSync(join(dir, 'trace.txt'), 'utf8')
      .split('\n')
      .filter((url) => url.includes('/node_modules/'))
      .map((url) => {
        const parts = url.slice(url.lastIndexOf('/node_modules/') + '/node_modules/'.length).split('/');
        return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
      });
    return [...new Set(names)].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
