// `gradlab autograd`: the lesson-style trace of reverse-mode autograd, printed as PyTorch prints it.
import { parse } from '../ir/parse.ts';
import { autogradTrace } from '../diff/autograd/method.ts';
import { expressionArgument, parseCommandArgs, parsePoint, type Command } from './common.ts';

const help = `usage: gradlab autograd "<expression>" --at x=2,y=3

Builds the expression on leaf tensors that require grad, calls backward(), and prints the output
tensor with its grad_fn and each input's .grad, exactly as PyTorch prints them:

  y = tensor(11., grad_fn=<AddBackward0>)
  x.grad = tensor(7.)`;

export const autogradCommand: Command = {
  name: 'autograd',
  help,
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string', multiple: true } }, help);
    const expr = parse(expressionArgument(positionals, help));
    io.stdout(`${autogradTrace(expr, parsePoint(values.at ?? []))}\n`);
    return 0;
  },
};
