// The `gradlab` command line: dispatches to the sub-commands in src/cli/.
import { describeError, UsageError, type CliIo, type Command } from './cli/common.ts';

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
    "Run 'gradlab <command> --help' for a command's options.",
  ].join('\n');
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
};

/** Runs the command line `argv` (without the node and script paths); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) {
    io.stderr(`gradlab: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr(`gradlab ${name}: ${describeError(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
