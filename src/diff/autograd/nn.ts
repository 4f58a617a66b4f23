// torch.nn's small core: Module with parameters(), Linear (PyTorch's default initialisation, seeded), Sequential, activations.
import { defineStructural } from './structural-registry.ts';
import { RuntimeError } from './errors.ts';
import { asTensor, dataOf, elementwise, mm, resultN, sum, transpose2d } from './functional.ts';
import { gradMode, noGrad } from './grad-mode.ts';
import { gemm, gemmTransA, gemmTransB } from './kernels.ts';
import { opId } from './op-ids.ts';
import { Generator, defaultGenerator } from './random.ts';
import { Tensor } from './tensor.ts';
import * as functional from './nn-functional.ts';

export { functional };

const RELU = opId('relu');
const TANH = opId('tanh');
const SIGMOID = opId('sigmoid');

/**
 * A layer or a model: `forward(x)` computes the output; `parameters()` lists the tensors an optimizer updates
 * (its own and its children's, in registration order, each once). PyTorch calls `model(x)`; here it is
 * `model.forward(x)`.
 */
export abstract class Module {
  /** @internal Own parameters, by name. */
  protected readonly _params = new Map<string, Tensor>();
  /** @internal Child modules, by name. */
  protected readonly _children = new Map<string, Module>();

  /** The output for input `x`. */
  abstract forward(x: Tensor): Tensor;

  /** Registers a parameter (a leaf that requires grad) under `name`. */
  protected registerParameter(name: string, value: Tensor): Tensor {
    if (!value.isLeaf) throw new RuntimeError(`cannot assign a non-leaf tensor as parameter '${name}'`);
    value.requiresGrad = true;
    this._params.set(name, value);
    return value;
  }

  /** Registers a child module under `name`. */
  protected registerModule(name: string, module: Module): Module {
    this._children.set(name, module);
    return module;
  }

  /** `[name, tensor]` pairs of every parameter, children's prefixed (`0.weight`), each tensor once. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    // An explicit stack of (prefix, module) so deep models need no recursion.
    const stack: [string, Module][] = [['', this]];
    while (stack.length > 0) {
      const [prefix, m] = stack.pop()!;
      for (const [name, p] of m._params) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix + name, p]);
      }
      const kids = [...m._children].reverse();
      for (const [name, child] of kids) stack.push([`${prefix}${name}.`, child]);
    }
    return out;
  }

  /** Every parameter, each once (`model.parameters()`). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Resets the parameters' gradients: to null (default, as PyTorch ≥ 2.0), or to zeros with `setToNone: false`. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    zeroGradOf(this.parameters(), options.setToNone ?? true);
  }
}

/** @internal Shared by Module and the optimizers: PyTorch's zero_grad. */
export function zeroGradOf(params: readonly Tensor[], setToNone: boolean): void {
  for (const p of params) {
    const g = p.grad;
    if (g === null) continue;
    if (setToNone) p.grad = null;
    else noGrad(() => (g.isLeaf ? g : g.detach_()).zero_());
  }
}

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Where the initial values come from (default: the default generator, seeded by `manualSeed`). */
  generator?: Generator;
}

const LINEAR = defineStructural({
  gradFn: 'AddmmBackward0', saved: 3,
  // y = x Wᵀ + b  ⇒  x̄ = ḡ W, W̄ = ḡᵀ x, b̄ = Σ_rows ḡ. Inputs that need no gradient (the data) cost nothing.
  vjp: (g, n) => {
    const [b, x, w] = n._inputs!;
    if (gradMode.enabled) return [b._rg ? sum(g, 0) : null, x._rg ? mm(g, w) : null, w._rg ? mm(transpose2d(g), x) : null];
    // Unrecorded: straight on the arrays.
    const [rows, outF] = g._shape, inF = w._shape[1];
    const G = dataOf(g);
    let gb: Tensor | null = null, gx: Tensor | null = null, gw: Tensor | null = null;
    if (b._rg) {
      const out = new Float64Array(outF);
      for (let r = 0; r < rows; r++) for (let o = 0; o < outF; o++) out[o] += G[r * outF + o];
      gb = new Tensor(b._shape, out, 0);
    }
    if (x._rg) {
      const out = new Float64Array(rows * inF);
      gemm(G, dataOf(w), rows, outF, inF, out);
      gx = new Tensor(x._shape, out, 0);
    }
    if (w._rg) {
      const out = new Float64Array(outF * inF);
      gemmTransA(G, dataOf(x), outF, rows, inF, out);
      gw = new Tensor(w._shape, out, 0);
    }
    return [gb, gx, gw];
  },
});

/**
 * `F.linear(x, weight, bias)`: x Wᵀ + b for x of shape (N, in), W (out, in), b (out): one fused op recorded as
 * PyTorch's AddmmBackward0 (inputs bias, x, weight). A 1-D x is treated as one row and the result is 1-D.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const x = asTensor(input), w = asTensor(weight);
  if (w._shape.length !== 2) throw new RuntimeError(`linear(): weight must be 2-D, got ${w._shape.length}-D`);
  const [outF, inF] = w._shape;
  if (x._shape.length === 1) return linear(x.unsqueeze(0), w, bias).squeeze(0);
  if (x._shape.length !== 2) throw new RuntimeError(`linear(): gradlab supports 1-D and 2-D input, got ${x._shape.length}-D`);
  const [rows, k] = x._shape;
  if (k !== inF) throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${k} and ${inF}x${outF})`);
  if (bias === null) return mm(x, transpose2d(w));
  const b = asTensor(bias);
  if (b._shape.length !== 1 || b._shape[0] !== outF) throw new RuntimeError(`linear(): bias must have shape [${outF}], got [${b._shape.join(', ')}]`);
  const out = new Float64Array(rows * outF);
  gemmTransB(dataOf(x), dataOf(w), rows, k, outF, out);
  const db = dataOf(b);
  for (let i = 0; i < rows; i++) for (let o = 0; o < outF; o++) out[i * outF + o] += db[o];
  return resultN(Object.freeze([rows, outF]), out, LINEAR, [b, x, w]);
}

/**
 * `nn.Linear(inFeatures, outFeatures)`: y = x Wᵀ + b, W of shape (out, in). Initialised as PyTorch does:
 * kaiming_uniform(a = √5) for W, which is U(−1/√in, 1/√in), and U(−1/√in, 1/√in) for b, drawn in that order from
 * the seeded generator.
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [['in_features', inFeatures], ['out_features', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RuntimeError(`Linear(): ${name} must be a non-negative integer, got ${v}`);
    }
    const gen = options.generator ?? defaultGenerator;
    // kaiming_uniform_(a=√5): gain = √(2/(1+a²)), bound = gain·√3/√fan_in = 1/√fan_in.
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    const w = new Float64Array(outFeatures * inFeatures);
    for (let i = 0; i < w.length; i++) w[i] = gen.uniform(-bound, bound);
    this.weight = this.registerParameter('weight', new Tensor(Object.freeze([outFeatures, inFeatures]), w, 0));
    if (options.bias ?? true) {
      const b = new Float64Array(outFeatures);
      for (let i = 0; i < b.length; i++) b[i] = gen.uniform(-bound, bound);
      this.bias = this.registerParameter('bias', new Tensor(Object.freeze([outFeatures]), b, 0));
    } else this.bias = null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override toString(): string {
    return `Linear(in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'})`;
  }
}

/** `nn.Sequential(...modules)`: applies the modules in order; their parameters are named `0.weight`, `1.bias`, … */
export class Sequential extends Module {
  readonly modules: readonly Module[];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential(): argument ${i} is not a Module`);
      this.registerModule(String(i), m);
    });
    this.modules = modules;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.modules) y = m.forward(y);
    return y;
  }

  override toString(): string {
    return `Sequential(\n${this.modules.map((m, i) => `  (${i}): ${String(m)}`).join('\n')}\n)`;
  }
}

/** `nn.ReLU()`: max(x, 0) (ReluBackward0). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return elementwise(RELU, x);
  }
  override toString(): string {
    return 'ReLU()';
  }
}

/** `nn.Tanh()` (TanhBackward0). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return elementwise(TANH, x);
  }
  override toString(): string {
    return 'Tanh()';
  }
}

/** `nn.Sigmoid()` (SigmoidBackward0). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return elementwise(SIGMOID, x);
  }
  override toString(): string {
    return 'Sigmoid()';
  }
}
