// Runs the examples in a Markdown doc as tests: `$ npx gradlab …` lines must print what the doc shows; TypeScript blocks must log their `// →` comments.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli.ts';

const root = resolve(import.meta.dirname, '../..');

/** Fenced blocks of a Markdown file with their language tag. */
function fencedBlocks(markdown: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  const pattern = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = pattern.exec(markdown); m !== null; m = pattern.exec(markdown)) blocks.push({ lang: m[1], body: m[2] });
  return blocks;
}

/** Splits a shell command line into words, honouring double and single quotes. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = pattern.exec(line); m !== null; m = pattern.exec(line)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** Console sessions: each `$ npx gradlab …` command with the output lines that follow it. */
function consoleExamples(markdown: string): { command: string; expected: string }[] {
  const examples: { command: string; expected: string }[] = [];
  for (const block of fencedBlocks(markdown).filter((b) => b.lang === 'console')) {
    let current: { command: string; lines: string[] } | null = null;
    const flush = () => current && examples.push({ command: current.command, expected: current.lines.join('\n') });
    for (const line of block.body.replace(/\n$/, '').split('\n')) {
      if (line.startsWith('$ ')) {
        flush();
        current = { command: line.slice(2), lines: [] };
      } else current?.lines.push(line);
    }
    flush();
  }
  return examples.filter((e) => e.command.startsWith('npx gradlab '));
}

/**
 * The gradlab commands of a doc's shell blocks (```sh): each `npx gradlab …` line without its trailing `# comment`,
 * with what is piped into it (`echo "…" | npx gradlab …`) apart. Console blocks (```console) are runDocs's.
 */
export function shellCommands(file: string): { readonly line: string; readonly argv: readonly string[]; readonly stdin?: string }[] {
  const markdown = readFileSync(join(root, file), 'utf8');
  const commands: { line: string; argv: string[]; stdin?: string }[] = [];
  for (const block of fencedBlocks(markdown).filter((b) => b.lang === 'sh')) {
    for (const raw of block.body.split('\n')) {
      const hash = raw.indexOf('   #');
      const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
      const pipe = /^echo "([^"]*)" \| (npx gradlab .*)$/.exec(line);
      if (pipe !== null) commands.push({ line, argv: shellWords(pipe[2]!).slice(2), stdin: `${pipe[1]}\n` });
      else if (line.startsWith('npx gradlab ') || line === 'npx gradlab') commands.push({ line, argv: shellWords(line).slice(2) });
    }
  }
  return commands;
}

export function runDocs(file: string): void {
  const markdown = readFileSync(join(root, file), 'utf8');
  const examples = consoleExamples(markdown);
  const scripts = fencedBlocks(markdown).filter((b) => b.lang === 'ts' && b.body.includes('// →'));
  const scratch = mkdtempSync(join(tmpdir(), 'gradlab-docs-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe(`${file}`, () => {
    it('has runnable examples', () => {
      expect(examples.length + scripts.length).toBeGreaterThan(0);
    });

    it.each(examples.map((e) => [e.command, e.expected]))('$ %s', async (command, expected) => {
      let out = '';
      let wroteError = false;
      const code = await main(shellWords(command).slice(2), {
        stdout: (t) => void (out += t),
        stderr: (t) => void ((out += t), (wroteError = true)),
        isTTY: false,
      });
      expect(out.replace(/\n$/, '')).toBe(expected);
      // A command that reports an error must also fail; one that does not must succeed.
      if (wroteError) expect(code).not.toBe(0);
      else expect(code).toBe(0);
    });

    it.each(scripts.map((s, i) => [i + 1, s.body]))('TypeScript example %d logs what its comments say', async (index, body) => {
      const expected = (body as string).split('\n').flatMap((line) => {
        const m = /\/\/ → (.*)$/.exec(line);
        return m ? [m[1]] : [];
      });
      // The package's entry points, as package.json exports them, resolved to the source files.
      const source = (body as string)
        .replace(/from 'gradlab\/harness'/g, `from ${JSON.stringify(pathToFileURL(join(root, 'src/harness/index.ts')).href)}`)
        .replace(/from 'gradlab'/g, `from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)}`);
      const path = join(scratch, `example-${index}.ts`);
      writeFileSync(path, source);
      const logged: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
      try {
        await import(pathToFileURL(path).href);
      } finally {
        spy.mockRestore();
      }
      expect(logged).toEqual(expected);
    });
  });
}


