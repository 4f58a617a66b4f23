// `gradlab autograd`: the lesson-style trace of reverse-mode autograd, printed as PyTorch prints it.
import { autogradTrace } from '../diff/autograd/method.ts';
import { gradient } from '../diff/registry.ts';
import { parseCommandArgs, parsePoint, type Command } from './common.ts';
import { guardLines, inputExpression, inputHelp, inputOptions, inputSubject, readUserInput } from './input.ts';

const help = `usage: gradlab autograd "<expression>" --at x=2,y=3 [--json]

Builds the expression on leaf tensors that require grad, calls backward(), and prints the output
tensor with its grad_fn and each input's .grad, exactly as PyTorch prints them:

  y = tensor(11., grad_fn=<AddBackward0>)
  x.grad = tensor(7.)

A program (--file) runs as the path it takes at the point (its trace), followed by its guards.

options:
  --at x=2,y=3        the point (repeatable)
  --json              print { expression, point, trace: [lines], value, gradient: { x: … }, guards }
${inputHelp}`;

export const autogradCommand: Command = {
  name: 'autograd',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true }, json: { type: 'boolean' }, ...inputOptions }, help);
    const point = parsePoint(values.at ?? []);
    const input = await readUserInput(positionals, values, help, (io as { stdin?: () => Promise<string> }).stdin);
    const { expr, guards } = await inputExpression(input, point);
    const trace = autogradTrace(expr, point);
    if (values.json) {
      const result = gradient(expr, point, { method: 'autograd' });
      const finite = (n: number) => (Number.isFinite(n) ? n : String(n));
      const partials = Object.fromEntries(Object.entries(result.gradient).map(([name, g]) => [name, finite(g)]));
      const json = { expression: inputSubject(input), point, trace: trace.split('\n'), value: finite(result.value), gradient: partials, guards };
      io.stdout(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    io.stdout(`${[trace, ...guardLines(guards)].join('\n')}\n`);
    return 0;
  },
};
