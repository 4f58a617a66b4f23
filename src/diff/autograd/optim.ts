// torch.optim's SGD and Adam: the single-tensor update formulas of torch/optim/sgd.py and adam.py, step by step.
//
// Updates run on the parameters' storage without recording (as PyTorch's `@torch.no_grad()` step) and bump each
// parameter's version, so a graph that saved a parameter before the step refuses to backward through it, as in
// PyTorch. The arithmetic follows PyTorch's kernels operation by operation (lerp's two branches, addcmul's and
// addcdiv's order), so a step matches torch's float64 step to the last bit where the operations are the same.
import { RuntimeError, ValueError } from './errors.ts';
import { dataOf, resolve } from './functional.ts';
import { zeroGradOf } from './nn.ts';
import { Tensor } from './tensor.ts';

/** What an optimizer accepts as its parameters: tensors (leaves that require grad), e.g. `model.parameters()`. */
export type Params = Iterable<Tensor>;

function paramList(params: Params): Tensor[] {
  const list = [...params];
  if (list.length === 0) throw new ValueError('optimizer got an empty parameter list');
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but parameter ${i} is ${typeof p}`);
    if (!p.isLeaf) throw new ValueError("can't optimize a non-leaf Tensor");
  });
  return list;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ValueError(message);
}

/** Base of the optimizers: the parameter list and `zeroGrad`. */
export abstract class Optimizer {
  /** The parameters, in the order given. */
  readonly params: readonly Tensor[];

  constructor(params: Params) {
    this.params = paramList(params);
  }

  /**
   * Resets the gradients. `setToNone` defaults to true, as in PyTorch ≥ 2.0 (1.13 defaulted to false): `.grad`
   * becomes null, and the next backward allocates it afresh. With false, existing gradients are zeroed in place.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    zeroGradOf(this.params, options.setToNone ?? true);
  }

  /** One update from the current `.grad` of each parameter; parameters whose `.grad` is null are skipped. */
  abstract step(): void;
}

/** The value and gradient arrays of a parameter, or null when it has no gradient. */
function arrays(p: Tensor): { x: Float64Array; g: Float64Array } | null {
  const h = resolve(p);
  const grad = h._grad;
  if (grad === null) return null;
  if (grad.requiresGrad) throw new RuntimeError('optimizer step with a gradient that requires grad (made under createGraph) is not supported');
  return { x: dataOf(h), g: dataOf(resolve(grad)) };
}

function bump(p: Tensor): void {
  resolve(p)._version++;
}

/** Options of {@link SGD}, with torch.optim.SGD's defaults. */
export interface SGDOptions {
  /** Learning rate (default 1e-3, as PyTorch ≥ 2.0). */
  lr?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Maximise instead of minimise (default false). */
  maximize?: boolean;
}

/**
 * `optim.SGD`: for each parameter with a gradient g,
 * `d = g + weightDecay·p`; with momentum, `buf = d` on the first step, then `buf = momentum·buf + (1 − dampening)·d`,
 * and `d = nesterov ? d + momentum·buf : buf`; finally `p = p − lr·d`.
 */
export class SGD extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  private readonly buffers: (Float64Array | null)[];

  constructor(params: Params, options: SGDOptions = {}) {
    super(params);
    this.lr = options.lr ?? 1e-3;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.maximize = options.maximize ?? false;
    check(this.lr >= 0, `Invalid learning rate: ${this.lr}`);
    check(this.momentum >= 0, `Invalid momentum value: ${this.momentum}`);
    check(this.weightDecay >= 0, `Invalid weight_decay value: ${this.weightDecay}`);
    check(Number.isFinite(this.dampening), `Invalid dampening value: ${this.dampening}`);
    check(!this.nesterov || (this.momentum > 0 && this.dampening === 0), 'Nesterov momentum requires a momentum and zero dampening');
    this.buffers = this.params.map(() => null);
  }

  step(): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = this;
    this.params.forEach((p, k) => {
      const a = arrays(p);
      if (a === null) return;
      const { x, g } = a;
      let buf = this.buffers[k];
      const first = momentum !== 0 && buf === null;
      if (first) buf = this.buffers[k] = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        let d = maximize ? -g[i] : g[i];
        if (weightDecay !== 0) d = d + weightDecay * x[i];
        if (momentum !== 0) {
          const b = first ? d : buf![i] * momentum + (1 - dampening) * d;
          buf![i] = b;
          d = nesterov ? d + momentum * b : b;
        }
        x[i] = x[i] + -lr * d;
      }
      bump(p);
    });
  }
}

/** Options of {@link Adam}, with torch.optim.Adam's defaults. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0; this is Adam's, not AdamW's decoupled decay). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
  /** Maximise instead of minimise (default false). */
  maximize?: boolean;
}

/** PyTorch's CPU lerp: `self + w·(end − self)` for |w| < 0.5, else `end − (end − self)·(1 − w)`. */
function lerp(self: number, end: number, w: number): number {
  return Math.abs(w) < 0.5 ? self + w * (end - self) : end - (end - self) * (1 - w);
}

/**
 * `optim.Adam`: at step t, `g += weightDecay·p`; `m = lerp(m, g, 1 − β₁)`; `v = β₂·v + (1 − β₂)·g·g`;
 * `denom = √v̂ / √(1 − β₂ᵗ) + eps` (v̂ = v, or its running maximum with amsgrad);
 * `p = p − (lr / (1 − β₁ᵗ))·m / denom`.
 */
export class Adam extends Optimizer {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
  private readonly state: ({ step: number; m: Float64Array; v: Float64Array; vmax: Float64Array | null } | null)[];

  constructor(params: Params, options: AdamOptions = {}) {
    super(params);
    this.lr = options.lr ?? 1e-3;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.amsgrad = options.amsgrad ?? false;
    this.maximize = options.maximize ?? false;
    check(this.lr >= 0, `Invalid learning rate: ${this.lr}`);
    check(this.eps >= 0, `Invalid epsilon value: ${this.eps}`);
    check(this.betas[0] >= 0 && this.betas[0] < 1, `Invalid beta parameter at index 0: ${this.betas[0]}`);
    check(this.betas[1] >= 0 && this.betas[1] < 1, `Invalid beta parameter at index 1: ${this.betas[1]}`);
    check(this.weightDecay >= 0, `Invalid weight_decay value: ${this.weightDecay}`);
    this.state = this.params.map(() => null);
  }

  step(): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = this;
    const [beta1, beta2] = this.betas;
    this.params.forEach((p, k) => {
      const a = arrays(p);
      if (a === null) return;
      const { x, g } = a;
      let s = this.state[k];
      if (s === null) {
        s = this.state[k] = {
          step: 0, m: new Float64Array(x.length), v: new Float64Array(x.length), vmax: amsgrad ? new Float64Array(x.length) : null,
        };
      }
      s.step += 1;
      const bias1 = 1 - beta1 ** s.step;
      const bias2 = 1 - beta2 ** s.step;
      const stepSize = lr / bias1;
      const bias2Sqrt = Math.sqrt(bias2);
      const { m, v, vmax } = s;
      for (let i = 0; i < x.length; i++) {
        let gi = maximize ? -g[i] : g[i];
        if (weightDecay !== 0) gi = gi + weightDecay * x[i];
        m[i] = lerp(m[i], gi, 1 - beta1);
        v[i] = v[i] * beta2 + (1 - beta2) * gi * gi;
        let second = v[i];
        if (vmax !== null) second = vmax[i] = Math.max(vmax[i], v[i]);
        const denom = Math.sqrt(second) / bias2Sqrt + eps;
        x[i] = x[i] + (-stepSize * m[i]) / denom;
      }
      bump(p);
    });
  }
}
