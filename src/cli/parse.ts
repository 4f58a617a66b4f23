// `gradlab parse`: how gradlab reads an expression (infix, LaTeX, Wengert list, sizes).
import { toInfix, toLatex, toWengert } from '../ir/print.ts';
import { metrics } from '../ir/traverse.ts';
import { parseCommandArgs, parsePoint, type Command } from './common.ts';
import { guardLines, inputExpression, inputHelp, inputOptions, readUserInput } from './input.ts';

const help = `usage: gradlab parse "<expression>" [--json]

Prints the expression as gradlab reads it: infix with minimal parentheses, LaTeX, the Wengert
list (one line per distinct operation), and its size: tree nodes, DAG nodes (after sharing
equal subexpressions), depth and operation counts. A program (--file) is shown as its trace at the
point --at (the path it takes there), with its guards.

options:
  --at x=2,y=3        for a program: the point to trace it at
${inputHelp}
  --json              print { infix, latex, wengert, metrics } as JSON`;

export const parseCommand: Command = {
  name: 'parse',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, at: { type: 'string', multiple: true }, ...inputOptions }, help);
    const input = await readUserInput(positionals, values, help, (io as { stdin?: () => Promise<string> }).stdin);
    const { expr, guards } = await inputExpression(input, values.at === undefined ? undefined : parsePoint(values.at));
    const size = metrics(expr);
    const ops = Object.entries(size.opCounts).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
    if (values.json) {
      const traced = input.kind === 'program' ? { guards } : {};
      io.stdout(`${JSON.stringify({ infix: toInfix(expr), latex: toLatex(expr), wengert: toWengert(expr).split('\n'), metrics: size, ...traced }, null, 2)}\n`);
      return 0;
    }
    io.stdout(
      [
        `infix:     ${toInfix(expr)}`,
        `latex:     ${toLatex(expr)}`,
        `variables: ${size.variables.join(', ') || 'none'}`,
        `size:      ${size.treeSize} tree nodes, ${size.dagSize} DAG nodes, depth ${size.depth}`,
        `ops:       ${ops}`,
        'wengert list:',
        ...toWengert(expr).split('\n').map((line) => `  ${line}`),
        ...guardLines(guards),
      ].join('\n') + '\n',
    );
    return 0;
  },
};
