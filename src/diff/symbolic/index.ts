// The symbolic differentiators' public face: the three methods, the derivative expressions, the mathjs bridge.
import type { GradientMethod } from '../method.ts';
import { symbolicDagMethod } from './dag.ts';
import { symbolicMethod, symbolicSimplifiedMethod } from './mathjs-methods.ts';

export { dagDerivatives, dagGradient, symbolicDagMethod, type DagDerivativesOptions } from './dag.ts';
export {
  defaultSymbolicBudgets,
  symbolicDerivatives,
  symbolicMethod,
  symbolicSimplifiedMethod,
  type SymbolicBudgets,
  type SymbolicDerivativesOptions,
} from './mathjs-methods.ts';
export { SymbolicUnavailableError, type SymbolicDerivative, type SymbolicFailure, type DerivativeSummary } from './derivative.ts';
export { fromMathjs, lowerForMathjs, toMathjs, unsupportedByMathjs } from './mathjs-bridge.ts';
export { compileGradient, symbolicResult, type CompiledGradient } from './gradient-program.ts';
export { mathjsWorkerStats, stopMathjsWorker } from './mathjs-runner.ts';
export { mathjsHost, setMathjsHost, type MathjsHost, type MathjsRunOutcome, type MathjsFailure } from './mathjs-host.ts';
export { preloadMathjs } from './mathjs-host-thread.ts';

/** The symbolic methods, in the order reports list them: mathjs raw, mathjs simplified, gradlab's DAG. */
export const symbolicMethods: readonly GradientMethod[] = [symbolicMethod, symbolicSimplifiedMethod, symbolicDagMethod];
