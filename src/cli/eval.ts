// `gradlab eval`: the value of an expression at a point.
import { parse } from '../ir/parse.ts';
import { evaluateExpr, explainNonFinite } from '../ir/evaluate.ts';
import { formatNumber } from '../ir/print.ts';
import { expressionArgument, parseCommandArgs, parsePoint, type Command } from './common.ts';

const help = `usage: gradlab eval "<expression>" --at x=2,y=3 [--json]

Prints the value of the expression at the point (and, for a value that is not finite, the op that
left its domain). An expression that starts with '-' is an expression: gradlab eval "-x" --at x=1.

options:
  --at x=2,y=3   the point (repeatable)
  --json         print { expression, point, value, note } (non-finite values as "NaN", "Infinity", "-Infinity")`;

export const evalCommand: Command = {
  name: 'eval',
  help,
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true }, json: { type: 'boolean' } }, help);
    const text = expressionArgument(positionals, help);
    const expr = parse(text);
    const point = parsePoint(values.at ?? []);
    const value = evaluateExpr(expr, point);
    const why = Number.isFinite(value) ? undefined : explainNonFinite(expr, point);
    if (values.json) {
      const json = { expression: text, point, value: Number.isFinite(value) ? value : String(value), ...(why === undefined ? {} : { note: why }) };
      io.stdout(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    io.stdout(`${formatNumber(value)}\n`);
    if (why !== undefined) io.stdout(`note: ${why}\n`);
    return 0;
  },
};
