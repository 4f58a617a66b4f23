// The README's examples run and print exactly what the README shows, and its method table lists every registered method.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { listMethods } from '../../src/diff/registry.ts';
import { supportedFunctions } from '../../src/ir/parse.ts';
import { runDocs } from '../helpers/docs.ts';

runDocs('README.md');

it('lists every registered method in its method table', () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
  for (const method of listMethods()) expect(rows.some((row) => row.split('|')[1].includes(`\`${method.name}\``))).toBe(true);
});

it('lists exactly the functions the parser supports', () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('Functions: '));
  expect(line?.slice('Functions: '.length).split(', ')).toEqual([...supportedFunctions]);
});
