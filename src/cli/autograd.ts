// `gradlab autograd`: the lesson-style trace of reverse-mode autograd, printed as PyTorch prints it.
import { parse } from '../ir/parse.ts';
import { autogradTrace } from '../diff/autograd/method.ts';
import { gradient } from '../diff/registry.ts';
import { expressionArgument, parseCommandArgs, parsePoint, type Command } from './common.ts';

const help = `usage: gradlab autograd "<expression>" --at x=2,y=3 [--json]

Builds the expression on leaf tensors that require grad, calls backward(), and prints the output
tensor with its grad_fn and each input's .grad, exactly as PyTorch prints them:

  y = tensor(11., grad_fn=<AddBackward0>)
  x.grad = tensor(7.)

options:
  --at x=2,y=3   the point (repeatable)
  --json         print { expression, point, trace: [lines], value, gradient: { x: … } }`;

export const autogradCommand: Command = {
  name: 'autograd',
  help,
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true }, json: { type: 'boolean' } }, help);
    const text = expressionArgument(positionals, help);
    const expr = parse(text);
    const point = parsePoint(values.at ?? []);
    const trace = autogradTrace(expr, point);
    if (values.json) {
      const result = gradient(expr, point, { method: 'autograd' });
      const finite = (n: number) => (Number.isFinite(n) ? n : String(n));
      const partials = Object.fromEntries(Object.entries(result.gradient).map(([name, g]) => [name, finite(g)]));
      io.stdout(`${JSON.stringify({ expression: text, point, trace: trace.split('\n'), value: finite(result.value), gradient: partials }, null, 2)}\n`);
      return 0;
    }
    io.stdout(`${trace}\n`);
    return 0;
  },
};
