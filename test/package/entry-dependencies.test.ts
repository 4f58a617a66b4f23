// What each public entry point's modules name: gradlab and gradlab/harness must type-check (and load) without vitest,
// an optional peer dependency that only gradlab/harness/setup needs.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** Every source file an entry reaches through relative imports and re-exports, type-only ones included. */
function reachable(entry: string): Map<string, string> {
  const files = new Map<string, string>();
  const queue = [resolve(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    files.set(file, text);
    for (const [, specifier] of text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+\.ts)'/g)) queue.push(resolve(dirname(file), specifier!));
  }
  return files;
}

const namesVitest = (text: string) => /from 'vitest'|import 'vitest'|declare module 'vitest'/.test(text);

describe('entry points and vitest', () => {
  it.each(['src/index.ts', 'src/harness/index.ts'])('%s reaches no module that names vitest (types included)', (entry) => {
    const files = reachable(entry);
    expect(files.size).toBeGreaterThan(10);
    const naming = [...files].filter(([, text]) => namesVitest(text)).map(([file]) => file.slice(root.length + 1));
    expect(naming).toEqual([]);
  });

  it('gradlab/harness/setup is the module that does: it registers the matcher and declares its type', () => {
    const setup = readFileSync(resolve(root, 'src/harness/setup.ts'), 'utf8');
    expect(setup).toContain("declare module 'vitest'");
    expect(setup).toContain('expect.extend(gradlabMatchers)');
  });
});
