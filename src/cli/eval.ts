// `gradlab eval`: the value of an expression at a point.
import { evaluateExpr, explainNonFinite } from '../ir/evaluate.ts';
import { formatNumber } from '../ir/print.ts';
import { parseCommandArgs, parsePoint, type Command } from './common.ts';
import { inputExpression, inputHelp, inputOptions, readUserInput } from './input.ts';

const help = `usage: gradlab eval "<expression>" --at x=2,y=3
       gradlab eval --file prog.ts --at x=2,y=3 [--export NAME]

Prints the value of the expression (or program) at the point.

options:
  --at x=2,y=3        the point (repeatable)
${inputHelp}`;

export const evalCommand: Command = {
  name: 'eval',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true }, ...inputOptions }, help);
    const point = parsePoint(values.at ?? []);
    const input = await readUserInput(positionals, values, help, (io as { stdin?: () => Promise<string> }).stdin);
    const { expr } = await inputExpression(input, point);
    const value = evaluateExpr(expr, point);
    io.stdout(`${formatNumber(value)}\n`);
    const why = Number.isFinite(value) ? undefined : explainNonFinite(expr, point);
    if (why !== undefined) io.stdout(`note: ${why}\n`);
    return 0;
  },
};
