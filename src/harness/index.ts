// The harness's public API: arbitraries for property tests, the high-precision reference, tolerances, agreement runs, test matchers.
export {
  expressionWithPoint,
  expression,
  pointIn,
  coordinate,
  type ExpressionOptions,
  type GradientCase,
} from './arbitraries.ts';
export { nodeValues, domainViolations, isSmoothAround, type DomainViolation, type SmoothnessOptions } from './domain.ts';
export {
  referenceGradient,
  referenceTrace,
  referenceValue,
  bigMath,
  defaultPrecision,
  type ReferenceResult,
  type ReferenceTrace,
} from './reference.ts';
export {
  roundingBound,
  toleranceFor,
  gradientScale,
  relativeDifference,
  defaultFactors,
  underflowFloor,
  type RoundingBound,
  type ToleranceFactors,
} from './tolerance.ts';
export { askMethod, isBudgetCutOff, type MethodAnswer, type AnswerStatus, type MethodOptions } from './answers.ts';
export {
  judgeCase,
  runAgreement,
  AgreementTally,
  verdicts,
  verdictMeaning,
  isFailure,
  isPass,
  type Verdict,
  type JudgedAnswer,
  type PairVerdict,
  type CaseReport,
  type AgreementRow,
  type AgreementOptions,
  type AgreementRun,
  type Counterexample,
} from './agreement.ts';
export { formatCase, formatCounterexample, exactText, errorText, pointText } from './format.ts';
export { gradlabMatchers, type ExpectedGradient, type GradientSubject, type ToHaveGradientOptions } from './matchers.ts';
/** PyTorch's `torch.autograd.gradcheck`: analytical (autograd) against central-difference Jacobians. */
export { gradcheck, type GradcheckOptions } from '../diff/autograd/index.ts';
export { trainingExperiment, twoMoons, type TrainingExperiment, type TrainingExperimentOptions, type TrainingCurve, type StepTimer, type StepTimings } from './training.ts';
