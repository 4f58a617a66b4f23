// What a command differentiates: the expression argument, `--file F` (a program module or a file of expression text), or `-` for expression text on stdin.
import { readFileSync } from 'node:fs';
import type { Program } from '../diff/program/run.ts';
import type { Expr } from '../ir/node.ts';
import { parse } from '../ir/parse.ts';
import { UsageError } from './common.ts';
import { loadUserModule } from './load-module.ts';

/** The user's function: expression text, or a program loaded from a module. `source` says where it came from, for output. */
export type UserInput =
  | { readonly kind: 'expression'; readonly text: string; readonly source: string }
  | { readonly kind: 'program'; readonly program: Program; readonly source: string };

/** The options every command that takes an expression accepts, for `parseCommandArgs`. */
export const inputOptions = {
  file: { type: 'string' },
  export: { type: 'string' },
} as const;

/** Help lines for {@link inputOptions}. */
export const inputHelp = `  --file F            read the function from F: a .ts/.mts/.js/.mjs file is a program module
                      (its default export, a function (v, m) => value), any other file holds
                      expression text; --file - (or the expression '-') reads expression text from stdin
  --export NAME       the program module's export to use instead of the default export`;

/** Files that are program modules rather than expression text. */
const moduleFile = /\.(ts|mts|js|mjs)$/i;

/** Reads all of stdin as text. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function expressionText(text: string, source: string): UserInput {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new UsageError(`${source} holds no expression (it is empty)`);
  return { kind: 'expression', text: trimmed, source };
}

/**
 * The function a command is asked about, from its positional arguments and `--file`/`--export`.
 * @throws UsageError when both or neither are given, for `--export` without a module, an unreadable file, or a
 *   module export that is not a function (listing the function exports there are).
 */
export async function readUserInput(
  positionals: readonly string[],
  values: { readonly file?: string; readonly export?: string },
  help: string,
  readStdin: () => Promise<string> = readProcessStdin,
): Promise<UserInput> {
  const { file } = values;
  if (file !== undefined && positionals.length > 0) throw new UsageError(`give the expression or --file, not both\n\n${help}`);
  if (file === undefined) {
    if (positionals.length === 0) throw new UsageError(`missing the expression (or --file F)\n\n${help}`);
    if (positionals.length > 1) throw new UsageError(`expected one expression, got ${positionals.length} arguments (quote the expression: "x^2 + 1")\n\n${help}`);
  }
  const name = file ?? positionals[0];
  const isModule = file !== undefined && moduleFile.test(file);
  if (values.export !== undefined && !isModule) throw new UsageError('--export names an export of a program module: use it with --file prog.ts (or .mts, .js, .mjs)');
  if (name === '-') return expressionText(await readStdin(), 'stdin');
  if (file === undefined) return { kind: 'expression', text: name, source: 'argument' };
  if (!isModule) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    return expressionText(text, file);
  }
  let exports: Record<string, unknown>;
  try {
    exports = await loadUserModule(file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const exportName = values.export ?? 'default';
  const program = exports[exportName];
  if (typeof program !== 'function') {
    const functions = Object.keys(exports).filter((key) => typeof exports[key] === 'function');
    const found = functions.length > 0 ? `its function exports: ${functions.join(', ')}` : 'it exports no function';
    const what = exportName === 'default' ? 'a default export' : `an export '${exportName}'`;
    throw new UsageError(`${file} has no program as ${what} (${found}); export a function (v, m) => value${functions.length > 0 ? ', or pick one with --export NAME' : ''}`);
  }
  return { kind: 'program', program: program as Program, source: `${file}${exportName === 'default' ? '' : ` (export ${exportName})`}` };
}

/**
 * The expression a command works on: the parsed text, or a program's trace at `point` (the path it takes there),
 * with the trace's guards as sentences.
 * @throws UsageError for a program without a point to trace it at.
 */
export async function inputExpression(input: UserInput, point: Readonly<Record<string, number>> | undefined): Promise<{ expr: Expr; guards: readonly string[] }> {
  if (input.kind === 'expression') return { expr: parse(input.text), guards: [] };
  if (point === undefined || Object.keys(point).length === 0) {
    throw new UsageError(`a program is traced at a point: give --at with a value for each input (v.x, v.y, …) of ${input.source}`);
  }
  const { traceProgram } = await import('../diff/program/trace.ts');
  const trace = traceProgram(input.program, point);
  return { expr: trace.expr, guards: trace.guards.map((g) => g.text) };
}

/** Lines that show a program's trace guards under a command's output (none for an expression). */
export function guardLines(guards: readonly string[]): string[] {
  return guards.map((guard, i) => `guard ${i + 1}: ${guard}`);
}

/** What the user asked about, for JSON output: the expression text, or where the program came from. */
export function inputSubject(input: UserInput): string {
  return input.kind === 'expression' ? input.text : input.source;
}
