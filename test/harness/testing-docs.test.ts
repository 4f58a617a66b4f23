// docs/testing.md's example test file is the real test/harness/testing-example.test.ts, character for character (vitest runs that file).
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

it("docs/testing.md's example is test/harness/testing-example.test.ts as written", () => {
  const doc = readFileSync(resolve(root, 'docs/testing.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## An example test file'));
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(section)?.[1];
  expect(block).toBe(readFileSync(resolve(import.meta.dirname, 'testing-example.test.ts'), 'utf8'));
});
