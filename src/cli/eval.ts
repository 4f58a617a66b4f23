// `gradlab eval`: the value of an expression (or a program's traced path) at a point.
import { evaluateExpr, explainNonFinite } from '../ir/evaluate.ts';
import { formatNumber } from '../ir/print.ts';
import { parseCommandArgs, parsePoint, type Command } from './common.ts';
import { inputExpression, inputHelp, inputOptions, inputSubject, readUserInput } from './input.ts';

const help = `usage: gradlab eval "<expression>" --at x=2,y=3 [--json]
       gradlab eval --file prog.ts --at x=2,y=3 [--export NAME]

Prints the value of the expression (or program) at the point (and, for a value that is not finite,
the op that left its domain). An expression that starts with '-' is an expression: gradlab eval "-x" --at x=1.

options:
  --at x=2,y=3        the point (repeatable)
  --json              print { expression, point, value, note } (non-finite values as "NaN", "Infinity", "-Infinity")
${inputHelp}`;

export const evalCommand: Command = {
  name: 'eval',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true }, json: { type: 'boolean' }, ...inputOptions }, help);
    const point = parsePoint(values.at ?? []);
    const input = await readUserInput(positionals, values, help, (io as { stdin?: () => Promise<string> }).stdin);
    const { expr } = await inputExpression(input, point);
    const value = evaluateExpr(expr, point);
    const why = Number.isFinite(value) ? undefined : explainNonFinite(expr, point);
    if (values.json) {
      const json = { expression: inputSubject(input), point, value: Number.isFinite(value) ? value : String(value), ...(why === undefined ? {} : { note: why }) };
      io.stdout(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    io.stdout(`${formatNumber(value)}\n`);
    if (why !== undefined) io.stdout(`note: ${why}\n`);
    return 0;
  },
};
