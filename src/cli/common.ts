// Shared pieces of the `gradlab` command: its input/output, the command shape, and argument parsing helpers.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ParseError } from '../ir/parse.ts';

/** Where a command writes; tests pass their own to capture output. */
/** Width prose under a table wraps to when the output is not a terminal (a pipe, a file, a test). */
export const proseWidthWhenPiped = 80;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is an interactive terminal (progress bars, colours). */
  readonly isTTY: boolean;
  /** Width of the terminal in columns, when stdout is one; tables fit it. Undefined: no limit (pipes, files, tests). */
  readonly columns?: number | undefined;
}

/** One `gradlab` sub-command. */
export interface Command {
  readonly name: string;
  /** Full help text, starting with the usage line. */
  readonly help: string;
  /** Runs the command; returns the exit code. */
  run(args: string[], io: CliIo): Promise<number> | number;
}

/** A user mistake on the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `x=2,y=3` (also `x=2 y=3`, and repeated `--at`) into a point, with errors that say what is wrong. */
export function parsePoint(specs: readonly string[]): Record<string, number> {
  const point: Record<string, number> = Object.create(null);
  for (const spec of specs) {
    for (const part of spec.split(/[,\s]+/).filter((p) => p.length > 0)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`--at expects name=value pairs such as x=2,y=3; got '${part}'`);
      const name = part.slice(0, eq);
      const text = part.slice(eq + 1);
      const value = Number(text);
      if (text.trim() === '' || Number.isNaN(value)) throw new UsageError(`--at: '${text}' is not a number (in '${part}')`);
      if (!Number.isFinite(value)) throw new UsageError(`--at: the value of ${name} must be finite, got ${text}`);
      if (Object.prototype.hasOwnProperty.call(point, name)) throw new UsageError(`--at: ${name} is given twice`);
      point[name] = value;
    }
  }
  return { ...point };
}

/**
 * Moves arguments that start with '-' but name no option of the command (`-x`, `-1`, `-sin(x)`) behind a `--`,
 * so parseArgs reads them as positionals: `gradlab eval "-x" --at x=1` is an expression, not an unknown option.
 * Long options (`--bogus`) stay options, so a misspelt one is still reported.
 */
function dashedPositionalsLast(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const shortFlags = new Set(Object.values(options).flatMap((o) => (o.short === undefined ? [] : [`-${o.short}`])));
  const takesValue = (arg: string): boolean => {
    if (!arg.startsWith('-') || arg.includes('=')) return false;
    const name = arg.startsWith('--') ? arg.slice(2) : Object.keys(options).find((k) => `-${options[k].short}` === arg);
    return name !== undefined && options[name]?.type === 'string';
  };
  const kept: string[] = [];
  const positionals: string[] = [];
  let moved = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      moved = true;
      break;
    }
    if (takesValue(arg) && i + 1 < args.length) {
      kept.push(arg, args[++i]);
    } else if (arg.startsWith('-') && !arg.startsWith('--') && arg.length > 1 && !shortFlags.has(arg)) {
      positionals.push(arg);
      moved = true;
    } else if (arg.startsWith('-')) {
      kept.push(arg);
    } else {
      positionals.push(arg);
    }
  }
  return moved ? [...kept, '--', ...positionals] : [...args];
}

/** node:util parseArgs with gradlab's error wording (unknown options become usage errors). */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  help: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: dashedPositionalsLast(args, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${help}`);
  }
}

/** Takes the one expression argument a command needs, or explains what is missing. */
export function expressionArgument(positionals: string[], help: string): string {
  if (positionals.length === 0) throw new UsageError(`missing the expression\n\n${help}`);
  if (positionals.length > 1) {
    throw new UsageError(`expected one expression, got ${positionals.length} arguments (quote the expression: "x^2 + 1")\n\n${help}`);
  }
  return positionals[0];
}

/** Formats an error for the terminal: parse errors with their caret excerpt, others by message. */
export function describeError(error: unknown): string {
  if (error instanceof ParseError) return `${error.message}\n${error.excerpt()}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
