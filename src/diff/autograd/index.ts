// The public surface of the autograd module: tensors, the engine's entry points, grad modes, gradcheck, the IR method.
// Tensors are float64 but print as PyTorch prints its default dtype (no `dtype=torch.float64`), so lessons read the same.
export { Tensor, tensor, type TensorLike, type TensorOptions, type NestedNumbers, type Hook, type RemovableHandle } from './tensor.ts';
export { GradFn, type NextFunction } from './grad-fn.ts';
export { backward, grad, type BackwardOptions, type GradOptions } from './engine.ts';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './grad-mode.ts';
export { gradcheck, type GradcheckOptions } from './gradcheck.ts';
export { autogradMethod, autogradTrace, autogradValue, tapeLength } from './method.ts';
export { RuntimeError, ValueError, IndexError, GradcheckError, setWarningListener } from './errors.ts';
export * as torch from './functions.ts';
export * as nn from './nn.ts';
export * as optim from './optim.ts';
export { Generator, manualSeed } from './random.ts';
export type { ValuesIndices } from './tensor-ops.ts';
export type { Reduction, ClassLossOptions, MseLossOptions } from './nn-functional.ts';
