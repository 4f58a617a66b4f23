// The preset examples: the seeds' lessons, Baydin's trace example, a pitfall, swell, and a deep chain.

export interface Preset {
  readonly label: string;
  readonly expr: string;
  readonly at: Readonly<Record<string, number>>;
  /** What to look at. */
  readonly lesson: string;
}

/** A chain x → sin(x)·1.0001 + 0.1 of the given depth, written out (the suite's sineChain as text). */
export function sineChainText(depth: number): string {
  let text = 'x';
  for (let k = 0; k < depth; k++) text = `sin(${text})*1.0001 + 0.1`;
  return text;
}

/** The logistic map's iterate lₙ as text: each step writes lₖ out twice, so the tree doubles while the DAG grows by a constant. */
export function logisticText(n: number): string {
  let text = 'x';
  for (let k = 1; k < n; k++) text = `4*(${text})*(1 - (${text}))`;
  return text;
}

export const presets: readonly Preset[] = [
  { label: 'lesson: x² + 3x + 1', expr: 'x**2 + 3*x + 1', at: { x: 2 }, lesson: 'The first autograd lesson: dy/dx = 2x + 3 = 7 at x = 2.' },
  { label: 'lesson: two variables', expr: 'x^2 + y^3 + x*y', at: { x: 1, y: 2 }, lesson: 'One reverse sweep gives both partials (4 and 13); central differences need 2n evaluations.' },
  { label: 'lesson: a neuron', expr: '(w*x + b)^2', at: { w: 2, x: 3, b: 4 }, lesson: 'loss = (wx + b)²: ∂/∂w = 60, ∂/∂x = 40, ∂/∂b = 20. The node wx + b is used twice by the square.' },
  { label: 'Baydin: ln x1 + x1 x2 − sin x2', expr: 'log(x1) + x1*x2 - sin(x2)', at: { x1: 2, x2: 5 }, lesson: "Baydin et al.'s evaluation trace: step through the forward and reverse sweeps." },
  { label: 'pitfall: sqrt(x·x) at 0', expr: 'sqrt(x*x)', at: { x: 0 }, lesson: 'The chain rule multiplies 1/(2·0) = ∞ by 0: NaN. Central differences see |x| and return 0.' },
  { label: 'pitfall: log(1 + exp(x)) at 1000', expr: 'log(1 + exp(x))', at: { x: 1000 }, lesson: 'exp(1000) overflows: every method differentiates the program, not the function. softplus(x) is the stable form.' },
  { label: 'swell: logistic map l₅', expr: logisticText(5), at: { x: 0.2 }, lesson: 'Written as text, the tree doubles per step; the DAG and AD grow linearly. Watch the swell panel.' },
  { label: 'deep chain: 40 × sin', expr: sineChainText(40), at: { x: 0.5 }, lesson: 'f barely moves under a finite-difference step, so differences lose most digits; AD multiplies the factors exactly.' },
];
