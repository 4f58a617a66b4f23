// gradcheck: analytical Jacobians (autograd) against central differences, as torch.autograd.gradcheck (slow mode, 1.13).
import { GradcheckError, ValueError, messages } from './errors.ts';
import { pyFloatRepr } from './format.ts';
import { dataOf, resolve } from './functional.ts';
import { grad } from './engine.ts';
import { numelOf } from './shape.ts';
import { Tensor, reprOf } from './tensor.ts';

/** Options of {@link gradcheck}, with PyTorch's defaults. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3): elementwise |analytical − numerical| ≤ atol + rtol·|numerical|. */
  rtol?: number;
  /** Throw a GradcheckError on a mismatch (default) or return false. */
  raiseException?: boolean;
  /** How much two backward runs may differ (default 0). */
  nondetTol?: number;
}

/** A Jacobian laid out as PyTorch's gradcheck lays it out: [input numel × output numel] (that is, Jᵀ). */
type Jacobian = Float64Array;

const asList = (x: Tensor | readonly Tensor[]): readonly Tensor[] => (x instanceof Tensor ? [x] : x);

function readAt(t: Tensor, i: number): number {
  return t._d === null ? t._s : t._d[i];
}

function writeAt(t: Tensor, i: number, v: number): void {
  if (t._d === null) t._s = v;
  else t._d[i] = v;
}

function jacobianTensor(j: Jacobian, rows: number, cols: number): string {
  return reprOf(new Tensor(Object.freeze([rows, cols]), j, 0), true);
}

/** `torch.allclose(a, n, rtol, atol)`: |a − n| ≤ atol + rtol·|n| elementwise; NaN is never close, equal infinities are. */
function allclose(a: Jacobian, n: Jacobian, rtol: number, atol: number): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === n[i]) continue;
    if (!(Math.abs(a[i] - n[i]) <= atol + rtol * Math.abs(n[i]))) return false;
  }
  return true;
}

/**
 * Checks `fn`'s gradients at `inputs` like `torch.autograd.gradcheck` (slow mode): for each input that requires grad
 * and each output, the numerical Jacobian by central differences `(f(x+eps) − f(x−eps)) / (2·eps)`, one element at
 * a time, against the analytical one from {@link grad} with one-hot output gradients (computed twice, which must
 * agree). Returns true when every pair is allclose.
 * @throws ValueError when no input requires grad; GradcheckError on a mismatch (message with both Jacobians, laid
 * out [input numel × output numel]) unless `raiseException` is false, which returns false instead.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradcheckOptions = {},
): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true, nondetTol = 0 } = options;
  const all = asList(inputs);
  const diffInputs = all.map(resolve).filter((t) => t._rg);
  if (diffInputs.length === 0) throw new ValueError(messages.gradcheckNoInput);
  const fail = (message: string): boolean => {
    if (raiseException) throw new GradcheckError(message);
    return false;
  };

  const funcOut = asList(fn(...all)).map(resolve);
  const outNumel = funcOut.map((o) => numelOf(o._shape));

  // Numerical Jacobians for every output, perturbing each input element's storage in place (as PyTorch perturbs
  // `.data`, with grad mode as it is) and restoring it.
  const numerical: Jacobian[][] = funcOut.map((_, i) => diffInputs.map((x) => new Float64Array(numelOf(x._shape) * outNumel[i])));
  diffInputs.forEach((x, j) => {
    const n = numelOf(x._shape);
    for (let e = 0; e < n; e++) {
      const orig = readAt(x, e);
      writeAt(x, e, orig - eps);
      const outA = asList(fn(...all)).map((o) => dataOf(resolve(o)).slice());
      writeAt(x, e, orig + eps);
      const outB = asList(fn(...all)).map((o) => dataOf(resolve(o)).slice());
      writeAt(x, e, orig);
      funcOut.forEach((_, i) => {
        const m = outNumel[i];
        for (let k = 0; k < m; k++) numerical[i][j][e * m + k] = (outB[i][k] - outA[i][k]) / (2 * eps);
      });
    }
  });

  const outputs = funcOut.map((o, i) => ({ o, i })).filter(({ o }) => o._rg);
  if (outputs.length === 0) {
    for (const perOutput of numerical) for (const jac of perOutput) if (jac.some((v) => v !== 0)) return fail(messages.gradcheckZero);
    return true;
  }

  for (let i = 0; i < outputs.length; i++) {
    const { o, i: index } = outputs[i];
    const m = outNumel[index];
    const analytical = () => {
      const jac = diffInputs.map((x) => new Float64Array(numelOf(x._shape) * m));
      for (let k = 0; k < m; k++) {
        const seedData = new Float64Array(m);
        seedData[k] = 1;
        const seed = o._shape.length === 0 ? new Tensor(o._shape, null, 1) : new Tensor(o._shape, seedData, 0);
        const grads = grad(o, diffInputs, { gradOutputs: seed, retainGraph: true, allowUnused: true });
        grads.forEach((g, j) => {
          if (g === null) return;
          const d = dataOf(resolve(g));
          for (let e = 0; e < d.length; e++) jac[j][e * m + k] = d[e];
        });
      }
      return jac;
    };
    const first = analytical();
    const second = analytical();
    const reentrant = first.every((j1, j) => j1.every((v, e) => Math.abs(v - second[j][e]) <= nondetTol || Object.is(v, second[j][e])));
    if (!reentrant) return fail(messages.gradcheckNotReentrant(pyFloatRepr(nondetTol)));
    for (let j = 0; j < diffInputs.length; j++) {
      if (!allclose(first[j], numerical[index][j], rtol, atol)) {
        const rows = numelOf(diffInputs[j]._shape);
        return fail(
          `Jacobian mismatch for output ${i} with respect to input ${j},\n` +
            `numerical:${jacobianTensor(numerical[index][j], rows, m)}\n` +
            `analytical:${jacobianTensor(first[j], rows, m)}\n`,
        );
      }
    }
  }
  return true;
}
