// The compiled reverse mode's public face: compileGradient, the `autograd-compiled` method, operation counts.
export { autogradCompiledMethod, cachedGradient } from './method.ts';
export {
  compileGradient,
  compileValue,
  gradientProgram,
  lowerExpressions,
  operationCounts,
  type CompiledAdjoint,
  type CompilePhases,
  type CompileGradientOptions,
  type ExpressionProgram,
  type GradientProgram,
  type OperationCounts,
} from './gradient.ts';
export { adjointExpressions, activeNodes } from './adjoint.ts';
export { expandedPower } from './powers.ts';
