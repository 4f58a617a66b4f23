// The numeric differentiation methods as GradientMethod objects, one per scheme, for the registry.
import type { GradientMethod } from '../method.ts';
import type { SchemeName } from './error-model.ts';
import { numericGradient, readNumericOptions } from './gradient.ts';

function numericMethod(name: string, scheme: SchemeName, summary: string): GradientMethod {
  return {
    name,
    summary,
    compute: ({ expr, variables, point, options }) => numericGradient(expr, variables, point, scheme, readNumericOptions(options), name),
  };
}

/** `numeric`: the default finite difference, central (2n evaluations, error ≈ ε^⅔). */
export const numericDefaultMethod = numericMethod(
  'numeric', 'central',
  'Central finite differences (f(x+h) − f(x−h))/2h at the step with the least modelled error (from ∛ε·max(1,|x|) or ∛ε·|x|): 2n evaluations, about 10 correct digits.',
);

/** `numeric-forward`: (f(x+h) − f(x))/h, n + 1 evaluations, error ≈ √ε. */
export const numericForwardMethod = numericMethod(
  'numeric-forward', 'forward',
  'Forward finite differences (f(x+h) − f(x))/h at the step with the least modelled error (from √ε·max(1,|x|) or √ε·|x|): n + 1 evaluations, about 8 correct digits.',
);

/** `numeric-backward`: (f(x) − f(x−h))/h, n + 1 evaluations, error ≈ √ε. */
export const numericBackwardMethod = numericMethod(
  'numeric-backward', 'backward',
  'Backward finite differences (f(x) − f(x−h))/h at the step with the least modelled error (from √ε·max(1,|x|) or √ε·|x|): n + 1 evaluations, about 8 correct digits.',
);

/** `numeric-central`: the same as `numeric`, by its scheme's name. */
export const numericCentralMethod = numericMethod('numeric-central', 'central', numericDefaultMethod.summary);

/** `numeric-five-point`: the fourth-order five-point stencil, 4n evaluations, error ≈ ε^⅘. */
export const numericFivePointMethod = numericMethod(
  'numeric-five-point', 'five-point',
  'Five-point stencil (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h))/12h at the step with the least modelled error (from ε^⅕·max(1,|x|) or ε^⅕·|x|): 4n evaluations, about 13 digits.',
);

/**
 * `numeric-richardson`: Richardson extrapolation of central differences (options `levels`, default 4, and `steps`,
 * default 8: 16n evaluations), or of one-sided ones with `side: 'forward' | 'backward'` (steps·n + 1), which a
 * central tableau also falls back to where f is not finite on one side of the point.
 */
export const numericRichardsonMethod = numericMethod(
  'numeric-richardson', 'richardson',
  'Richardson extrapolation of central differences at h, h/2, h/4, … (Neville tableau) with an error estimate from the tableau: 2·steps·n evaluations (16n by default); option side: forward or backward extrapolates one-sided differences (steps·n + 1), for points at the edge of a domain.',
);

/** `complex-step`: Im f(x + ih)/h with h = 1e-20, exact to rounding for analytic ops; refuses non-analytic ones. */
export const complexStepMethod = numericMethod(
  'complex-step', 'complex-step',
  'Complex step Im f(x + ih)/h with h = 1e-20 through the op table\'s complex arithmetic: exact to rounding, n complex evaluations, analytic ops only.',
);

/** Every numeric method, in the order reports list them. */
export const numericMethods: readonly GradientMethod[] = [
  numericDefaultMethod, numericForwardMethod, numericBackwardMethod, numericCentralMethod,
  numericFivePointMethod, numericRichardsonMethod, complexStepMethod,
];
