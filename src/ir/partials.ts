// Local partial derivatives from the op table: as IR templates over placeholders, and compiled to scalar kernels.
import { variable, type Expr, type OpExpr, type VarExpr } from './node.ts';
import { ops, type OpName } from './ops.ts';
import { lowerToProgram } from './compile.ts';
import { compileKernel } from './codegen.ts';

/** Placeholder variables standing for an op's inputs (`a`, `b`) and its output (`out`) in partial templates. */
export const placeholder: { readonly a: VarExpr; readonly b: VarExpr; readonly out: VarExpr } = {
  a: variable('⟨a⟩'),
  b: variable('⟨b⟩'),
  out: variable('⟨out⟩'),
};
const placeholderNames = [placeholder.a.name, placeholder.b.name, placeholder.out.name];

const templates = new Map<OpName, readonly Expr[]>();
const kernels = new Map<OpName, readonly ((a: number, b: number, out: number) => number)[]>();

/** ∂out/∂argᵢ of `op` as IR expressions over {@link placeholder}, built once per op. */
export function partialTemplates(op: OpName): readonly Expr[] {
  let found = templates.get(op);
  if (found === undefined) {
    const args = ops[op].arity === 1 ? [placeholder.a] : [placeholder.a, placeholder.b];
    found = Object.freeze(ops[op].partials(args, placeholder.out));
    templates.set(op, found);
  }
  return found;
}

/** {@link partialTemplates} compiled to fast scalar kernels `(a, b, out) => ∂out/∂argᵢ`, built once per op. */
export function partialKernels(op: OpName): readonly ((a: number, b: number, out: number) => number)[] {
  let found = kernels.get(op);
  if (found === undefined) {
    found = Object.freeze(
      partialTemplates(op).map((template) => {
        const { instructions, operandOf } = lowerToProgram(template, placeholderNames);
        return compileKernel(instructions, operandOf.get(template.id)!, 3) as (a: number, b: number, out: number) => number;
      }),
    );
    kernels.set(op, found);
  }
  return found;
}

/** ∂node/∂argᵢ for a concrete op node, as IR expressions over the node's own arguments. */
export function localPartials(node: OpExpr): Expr[] {
  return ops[node.op].partials(node.args, node);
}
