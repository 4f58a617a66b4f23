// Baydin's evaluation-trace tables from a live run: forward primal, forward tangent and reverse adjoint traces over the Wengert list.
//
// Every line is generated from `wengertList(expr)`; every local rule and every number comes from the op table's
// partials (`partialTemplates` for the text, `partialKernels` for the numbers). Nothing here knows a particular op.
import type { Expr, OpExpr } from '../ir/node.ts';
import { interpretNodes, realAlgebra } from '../ir/evaluate.ts';
import { partialKernels, partialTemplates, placeholder } from '../ir/partials.ts';
import { toInfix, wengertList } from '../ir/print.ts';

/** One line of the forward primal trace: `v2 = x1 * x2 = 10`. Inputs come first, as `x1 = 2`. */
export interface PrimalLine {
  readonly name: string;
  /** The right-hand side over earlier names, or `input` for an input. */
  readonly rhs: string;
  readonly value: number;
}

/** One line of a forward tangent trace: `v̇2 = x2 · ẋ1 + x1 · ẋ2 = 5 × 1 + 2 × 0 = 5`. */
export interface TangentLine {
  readonly name: string;
  /** The chain rule over the op table's local partials, in names. */
  readonly rule: string;
  /** The same rule with this point's numbers. */
  readonly numbers: string;
  readonly value: number;
}

/** One line of the reverse adjoint trace: `x̄2 = v̄2 · x1 + v̄3 · cos(x2) = …`, bottom-up. */
export interface AdjointLine {
  readonly name: string;
  /** Σ over the node's uses of (parent's adjoint · ∂parent/∂node), in names; `1 (seed)` for the output. */
  readonly rule: string;
  readonly numbers: string;
  readonly value: number;
  /** The Wengert line this adjoint belongs to (`v3`), or the input's name. */
  readonly of: string;
}

/** The three trace tables of one expression at one point, and what each sweep yields. */
export interface EvaluationTraces {
  readonly variables: readonly string[];
  readonly point: readonly number[];
  /** Number of lines of the Wengert list (op nodes of the DAG). */
  readonly wengertLines: number;
  readonly primal: readonly PrimalLine[];
  /** The input the tangent table is seeded with (ẋ = 1 for it, 0 for the others). */
  readonly tangentSeed: string;
  readonly tangent: readonly TangentLine[];
  /** One forward sweep per input: the derivative each sweep yields. */
  readonly tangentSweeps: readonly { readonly variable: string; readonly derivative: number }[];
  /** Bottom-up: one line per Wengert line (last first), then one per input. */
  readonly adjoint: readonly AdjointLine[];
  /** ∂f/∂v for every input, from the one reverse sweep. */
  readonly gradient: readonly number[];
  readonly value: number;
}

/** `v3` → `v̇3`, `x1` → `ẋ1` (combining dot above the first letter). */
/** Terms joined into a sum that reads as arithmetic: `a × b − 1 × c`, never `a × b + -1 × c`. */
export function signedSum(terms: readonly string[]): string {
  return terms.map((t, i) => (i === 0 ? t.replace(/^-/, '−') : t.startsWith('-') ? ` − ${t.slice(1)}` : ` + ${t}`)).join('');
}

export const dotted = (name: string): string => `${name.slice(0, 1)}\u0307${name.slice(1)}`;
/** `v3` → `v̄3`, `x1` → `x̄1` (combining macron above the first letter). */
export const barred = (name: string): string => `${name.slice(0, 1)}\u0304${name.slice(1)}`;

const num = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

/** The local partial ∂node/∂arg_k as text over the trace's names (the op table's template with names filled in). */
function partialText(node: OpExpr, k: number, names: ReadonlyMap<number, string>, self: string): string {
  const fill = new Map([
    [placeholder.a.name, names.get(node.args[0].id)!],
    [placeholder.b.name, node.args[1] ? names.get(node.args[1].id)! : ''],
    [placeholder.out.name, self],
  ]);
  return toInfix(partialTemplates(node.op)[k]).replace(/⟨a⟩|⟨b⟩|⟨out⟩/g, (m) => fill.get(m)!);
}

/** `p · q` with `1 · q` → `q`, `-1 · q` → `-q`, and compound partials parenthesised. */
function product(partial: string, factor: string): string {
  if (partial === '1') return factor;
  if (partial === '-1') return `-${factor}`;
  return `${/\s/.test(partial) ? `(${partial})` : partial} · ${factor}`;
}

/** `q · p` (an adjoint times a local partial), simplified like {@link product}. */
function scaled(factor: string, partial: string): string {
  if (partial === '1') return factor;
  if (partial === '-1') return `-${factor}`;
  return `${factor} · ${/\s/.test(partial) ? `(${partial})` : partial}`;
}

/** Terms joined with `+`, a leading minus read as subtraction. */
function sum(terms: readonly string[]): string {
  return terms.reduce((s, t, i) => (i === 0 ? t : t.startsWith('-') ? `${s} − ${t.slice(1)}` : `${s} + ${t}`), '');
}

/**
 * Baydin et al.'s evaluation traces for `expr` at `point`: the forward primal trace, the forward tangent trace
 * seeded with ∂/∂`tangentSeed`, and the reverse adjoint trace, all generated from the Wengert list and the op
 * table's local partials, in doubles.
 *
 * @example
 * const t = evaluationTraces(parse('log(x1) + x1*x2 - sin(x2)'), ['x1', 'x2'], [2, 5]);
 * t.gradient // [5.5, 1.7163378145367738]
 * @throws Error when `point` lacks a variable the expression uses.
 */
export function evaluationTraces(expr: Expr, variables: readonly string[], point: readonly number[], tangentSeed: string = variables[0]): EvaluationTraces {
  const lines = wengertList(expr);
  const index = new Map(variables.map((v, i) => [v, i]));
  const { order, values: valueList } = interpretNodes(
    expr,
    (v) => {
      const i = index.get(v.name);
      if (i === undefined) throw new Error(`the point has no value for '${v.name}' (variables: ${variables.join(', ')})`);
      return point[i];
    },
    realAlgebra,
  );
  const value = new Map(order.map((n, i) => [n.id, valueList[i]]));
  const names = new Map<number, string>();
  const inputs = order.filter((n) => n.kind === 'var');
  for (const n of order) if (n.kind === 'var') names.set(n.id, n.name);
  else if (n.kind === 'const') names.set(n.id, num(n.value));
  for (const l of lines) names.set(l.node.id, l.name);
  const opLines = lines.filter((l): l is typeof l & { node: OpExpr } => l.node.kind === 'op');

  // The op table's local partials at this point, once per line.
  const partials = new Map<number, number[]>();
  for (const { node } of opLines) {
    const kernels = partialKernels(node.op);
    const a = value.get(node.args[0].id)!;
    const b = node.args[1] ? value.get(node.args[1].id)! : 0;
    partials.set(node.id, kernels.map((k) => k(a, b, value.get(node.id)!)));
  }

  const primal: PrimalLine[] = [
    ...inputs.map((n) => ({ name: names.get(n.id)!, rhs: 'input', value: value.get(n.id)! })),
    ...opLines.map((l) => ({ name: l.name, rhs: l.rhs, value: value.get(l.node.id)! })),
  ];

  // Forward mode: v̇ = Σ ∂v/∂argₖ · argₖ̇, one sweep per seed.
  const forwardSweep = (seed: string) => {
    const tangent = new Map<number, number>();
    for (const n of order) if (n.kind === 'var') tangent.set(n.id, n.name === seed ? 1 : 0);
    const out: TangentLine[] = inputs.map((n) => ({ name: dotted(n.name), rule: 'seed', numbers: '', value: tangent.get(n.id)! }));
    for (const { name, node } of opLines) {
      const rules: string[] = [];
      const numbers: string[] = [];
      let total = 0;
      node.args.forEach((arg, k) => {
        if (arg.kind === 'const') return;
        const p = partials.get(node.id)![k];
        rules.push(product(partialText(node, k, names, name), dotted(names.get(arg.id)!)));
        numbers.push(`${num(p)} × ${num(tangent.get(arg.id)!)}`);
        total += p * tangent.get(arg.id)!;
      });
      tangent.set(node.id, total);
      out.push({ name: dotted(name), rule: sum(rules), numbers: signedSum(numbers), value: total });
    }
    return { lines: out, derivative: tangent.get(expr.id) ?? 0 };
  };
  const seeded = forwardSweep(tangentSeed);

  // Reverse mode: x̄ = Σ over uses (parent̄ · ∂parent/∂x), parents before children (pull form of the one sweep).
  const uses = new Map<number, { parent: OpExpr; k: number }[]>();
  for (const { node } of opLines) {
    node.args.forEach((arg, k) => {
      if (arg.kind !== 'const') uses.set(arg.id, [...(uses.get(arg.id) ?? []), { parent: node, k }]);
    });
  }
  const adjointValue = new Map<number, number>();
  const adjoint: AdjointLine[] = [];
  const reverseNodes = [...opLines.map((l) => l.node as Expr)].reverse().concat([...inputs].reverse());
  for (const node of reverseNodes) {
    const name = names.get(node.id)!;
    if (node.id === expr.id) {
      adjointValue.set(node.id, 1);
      adjoint.push({ name: barred(name), rule: '1 (seed: ∂f/∂f)', numbers: '', value: 1, of: name });
      continue;
    }
    const mine = uses.get(node.id) ?? [];
    let total = 0;
    const rules: string[] = [];
    const numbers: string[] = [];
    for (const { parent, k } of mine) {
      const p = partials.get(parent.id)![k];
      const parentName = names.get(parent.id)!;
      const bar = adjointValue.get(parent.id)!;
      rules.push(scaled(barred(parentName), partialText(parent, k, names, parentName)));
      numbers.push(`${num(bar)} × ${num(p)}`);
      total += bar * p;
    }
    adjointValue.set(node.id, total);
    adjoint.push({ name: barred(name), rule: sum(rules) || '0 (unused)', numbers: signedSum(numbers), value: total, of: name });
  }
  const byName = new Map(inputs.map((n) => [names.get(n.id)!, adjointValue.get(n.id)!]));

  return {
    variables,
    point,
    wengertLines: lines.length,
    primal,
    tangentSeed,
    tangent: seeded.lines,
    tangentSweeps: variables.map((v) => ({ variable: v, derivative: v === tangentSeed ? seeded.derivative : forwardSweep(v).derivative })),
    adjoint,
    gradient: variables.map((v) => byName.get(v) ?? 0),
    value: value.get(expr.id)!,
  };
}
