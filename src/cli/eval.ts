// `gradlab eval`: the value of an expression at a point.
import { parse } from '../ir/parse.ts';
import { evaluateExpr } from '../ir/evaluate.ts';
import { formatNumber } from '../ir/print.ts';
import { expressionArgument, parseCommandArgs, parsePoint, type Command } from './common.ts';

const help = `usage: gradlab eval "<expression>" --at x=2,y=3

Prints the value of the expression at the point.`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'print the value of an expression at a point',
  help,
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true } }, help);
    const expr = parse(expressionArgument(positionals, help));
    io.stdout(`${formatNumber(evaluateExpr(expr, parsePoint(values.at ?? [])))}\n`);
    return 0;
  },
};
