// `gradlab eval`: the value of an expression at a point.
import { parse } from '../ir/parse.ts';
import { evaluateExpr, explainNonFinite } from '../ir/evaluate.ts';
import { formatNumber } from '../ir/print.ts';
import { expressionArgument, parseCommandArgs, parsePoint, type Command } from './common.ts';

const help = `usage: gradlab eval "<expression>" --at x=2,y=3

Prints the value of the expression at the point.`;

export const evalCommand: Command = {
  name: 'eval',
  help,
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true } }, help);
    const expr = parse(expressionArgument(positionals, help));
    const point = parsePoint(values.at ?? []);
    const value = evaluateExpr(expr, point);
    io.stdout(`${formatNumber(value)}\n`);
    const why = Number.isFinite(value) ? undefined : explainNonFinite(expr, point);
    if (why !== undefined) io.stdout(`note: ${why}\n`);
    return 0;
  },
};
