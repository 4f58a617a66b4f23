// The `gradlab` command line: dispatches to the sub-commands in src/cli/.
import { readFileSync } from 'node:fs';
import { describeError, proseWidthWhenPiped, UsageError, type CliIo, type Command } from './cli/common.ts';
import { layoutHelp } from './cli/help.ts';

/** The sub-commands with their one-line summaries, loaded on use so `gradlab eval` does not pay for the report's plotting libraries. */
const commands: readonly { name: string; summary: string; load: () => Promise<Command> }[] = [
  { name: 'report', summary: 'run the built-in suite and write the comparison report (Markdown, HTML, JSON, SVG)', load: async () => (await import('./cli/report.ts')).reportCommand },
  { name: 'check', summary: 'check that every method agrees on random expressions, within error models', load: async () => (await import('./cli/check.ts')).checkCommand },
  { name: 'diff', summary: 'differentiate one expression by every method, side by side with errors and times', load: async () => (await import('./cli/diff.ts')).diffCommand },
  { name: 'autograd', summary: 'print the PyTorch-style trace: the output tensor with its grad_fn, then each .grad', load: async () => (await import('./cli/autograd.ts')).autogradCommand },
  { name: 'graph', summary: 'the computational graph at a point, each value with its gradient (Wengert list, or DOT/SVG/PNG)', load: async () => (await import('./cli/graph.ts')).graphCommand },
  { name: 'eval', summary: 'print the value of an expression at a point', load: async () => (await import('./cli/eval.ts')).evalCommand },
  { name: 'parse', summary: 'show an expression as infix, LaTeX and a Wengert list, with its size', load: async () => (await import('./cli/parse.ts')).parseCommand },
  { name: 'playground', summary: 'serve the interactive playground page (built by npm run build:playground) and print its URL', load: async () => (await import('./cli/playground.ts')).playgroundCommand },
];

/** Exit codes, the same for every command (printed by `gradlab --help`, listed in the README). */
export const exitCodes = [
  [0, 'success: every method agreed, every check passed'],
  [1, 'a real disagreement, a failed check, or an error in the input (a parse error, a missing variable)'],
  [2, 'bad usage: an unknown command or option, a missing or malformed argument'],
] as const;

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: gradlab <command> [options]',
    '',
    'gradlab differentiates one expression three ways (symbolic, finite differences, reverse-mode',
    'autograd) and compares them. Commands:',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'gradlab help <command>' (or 'gradlab <command> --help') for a command's options; 'gradlab --version'",
    'prints the version. Commands that print results take --json for a machine-readable form.',
    '',
    'Exit codes (every command):',
    ...exitCodes.map(([code, meaning]) => `  ${code}  ${meaning}`),
  ].join('\n');
}

/** Levenshtein distance, for "did you mean" (two rows; the strings are command names). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[b.length];
}

/** The command a mistyped name most likely meant: within 2 edits (1 for names of 3 letters or fewer), or a prefix. */
export function didYouMean(name: string): string | undefined {
  const scored = commands
    .map((c) => ({ name: c.name, distance: c.name.startsWith(name) && name.length >= 2 ? 0.5 : editDistance(name.toLowerCase(), c.name) }))
    .filter((c) => c.distance <= (name.length <= 3 ? 1 : 2))
    .sort((a, b) => a.distance - b.distance);
  return scored[0]?.name;
}

/** Help text at the terminal's width, or at the width prose takes when piped. */
function laidOut(text: string, io: CliIo): string {
  return layoutHelp(text, io.columns ?? proseWidthWhenPiped);
}

function unknownCommand(name: string, io: CliIo): number {
  const guess = didYouMean(name);
  io.stderr(`gradlab: unknown command '${name}'${guess === undefined ? '' : `; did you mean '${guess}'?`}\n\n${laidOut(usage(), io)}\n`);
  return 2;
}

/** gradlab's version, from the package.json one level above this file (src/ in a checkout, dist/ when installed). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
};

/** Runs the command line `argv` (without the node and script paths); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (name === 'help' && rest.length > 0) {
    // `gradlab help <command>`: that command's help, as `gradlab <command> --help` prints it.
    const topic = commands.find((c) => c.name === rest[0]);
    if (topic === undefined) return unknownCommand(rest[0], io);
    io.stdout(`${laidOut((await topic.load()).help, io)}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${laidOut(usage(), io)}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) return unknownCommand(name, io);
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${laidOut(command.help, io)}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // The message itself is printed as written (it may quote a path or what the user typed, and a parse error's
    // caret must stay under its column); the help a usage error carries after it is laid out like --help.
    const message = `gradlab ${name}: ${describeError(error)}`;
    const helpStart = message.indexOf('\n\n');
    const text = error instanceof UsageError && helpStart >= 0 ? message.slice(0, helpStart) + laidOut(message.slice(helpStart), io) : message;
    io.stderr(`${text}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
