// The numeric differentiators' public face: the methods, the gradient driver, the error models and the V-curve sweep.
export {
  numericMethods, numericDefaultMethod, numericForwardMethod, numericBackwardMethod, numericCentralMethod,
  numericFivePointMethod, numericRichardsonMethod, complexStepMethod,
} from './methods.ts';
export { numericGradient, readNumericOptions, assertAnalytic, type NumericOptions } from './gradient.ts';
export {
  machineEpsilon, estimateSafetyFactor, forwardModel, backwardModel, centralModel, fivePointModel, complexStepModel, richardsonModel, oneSidedRichardsonModel, candidateSteps,
  errorModel, textbookStep, evaluationNoise, modelCurve, logSteps, extrapolationWeights,
  type ErrorModel, type ModelInputs, type ModelPoint, type SchemeName, type DifferenceSchemeName,
} from './error-model.ts';
export { evaluationNoiseBound, derivativeRoundingBounds } from './noise.ts';
export { complexStepDerivatives, complexStepPartials, type ComplexStepContext, type ComplexStepOptions } from './complex-step.ts';
export { sweepStep, derivativeMagnitude, type StepSweep, type SweepPoint, type SweepOptions } from './sweep.ts';
export { NonFiniteError, StepTooSmallError } from './stencil.ts';
