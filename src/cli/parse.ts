// `gradlab parse`: how gradlab reads an expression (infix, LaTeX, Wengert list, sizes).
import { parse } from '../ir/parse.ts';
import { toInfix, toLatex, toWengert } from '../ir/print.ts';
import { metrics } from '../ir/traverse.ts';
import { expressionArgument, parseCommandArgs, type Command } from './common.ts';

const help = `usage: gradlab parse "<expression>" [--json]

Prints the expression as gradlab reads it: infix with minimal parentheses, LaTeX, the Wengert
list (one line per distinct operation), and its size: tree nodes, DAG nodes (after sharing
equal subexpressions), depth and operation counts.`;

export const parseCommand: Command = {
  name: 'parse',
  help,
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, help);
    const expr = parse(expressionArgument(positionals, help));
    const size = metrics(expr);
    const ops = Object.entries(size.opCounts).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
    if (values.json) {
      io.stdout(`${JSON.stringify({ infix: toInfix(expr), latex: toLatex(expr), wengert: toWengert(expr).split('\n'), metrics: size }, null, 2)}\n`);
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
      ].join('\n') + '\n',
    );
    return 0;
  },
};
