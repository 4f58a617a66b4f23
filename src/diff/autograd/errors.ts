// PyTorch's error classes and messages, word for word, so a lesson's failure reads the same in gradlab.
import { sizeText } from './shape.ts';

/** Python's `RuntimeError`: what PyTorch raises for most autograd misuse. The message is PyTorch's text. */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** Python's `ValueError` (bad data for `tensor()`, `item()` on many elements, `gradcheck` with nothing to check). */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** Python's `IndexError` (a dimension out of range). */
export class IndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

/** `torch.autograd.gradcheck.GradcheckError`, a {@link RuntimeError}: analytical and numerical Jacobians disagree. */
export class GradcheckError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'GradcheckError';
  }
}

/** PyTorch's messages, gathered so each appears once (checked against torch 1.13). */
export const messages = {
  implicitScalar: 'grad can be implicitly created only for scalar outputs',
  noGradFn: (i: number) => `element ${i} of tensors does not require grad and does not have a grad_fn`,
  secondBackward:
    'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
    'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). ' +
    'Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
  gradShape: (i: number, grad: readonly number[], out: readonly number[]) =>
    `Mismatch in shape: grad_output[${i}] has a shape of ${sizeText(grad)} and output[${i}] has a shape of ${sizeText(out)}.`,
  floatNotIterable: "'float' object is not iterable",
  notRequiresGrad: 'One of the differentiated Tensors does not require grad',
  unused:
    'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.',
  gradEmptyInputs: 'grad requires non-empty inputs.',
  backwardEmptyInputs: "'inputs' argument to backward() cannot be empty.",
  leafInplace: 'a leaf Variable that requires grad is being used in an in-place operation.',
  viewOfLeafInplace: 'a view of a leaf Variable that requires grad is being used in an in-place operation.',
  multiViewInplace: (gradFn: string) =>
    `Output 0 of ${gradFn} is a view and is being modified inplace. This view is the output of a function that returns multiple views. ` +
    'Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.',
  requiresGradLeaf: (requiresGrad: boolean) =>
    'you can only change requires_grad flags of leaf variables.' +
    (requiresGrad
      ? ''
      : " If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."),
  retainGradNoGrad: "can't retain_grad on Tensor that has requires_grad=False",
  hookNoGrad: "cannot register a hook on a tensor that doesn't require gradient",
  assignedGradSize: 'assigned grad has data of a different size',
  assignedGradType: (got: string) => `assigned grad expected to be a Tensor or None but got grad of type${got}`,
  itemMany: 'only one element tensors can be converted to Python scalars',
  broadcast: (sizeA: number, sizeB: number, dim: number) =>
    `The size of tensor a (${sizeA}) must match the size of tensor b (${sizeB}) at non-singleton dimension ${dim}`,
  inplaceShape: (self: readonly number[], broadcast: readonly number[]) =>
    `output with shape [${self.join(', ')}] doesn't match the broadcast shape [${broadcast.join(', ')}]`,
  mm: (a: readonly number[], b: readonly number[]) =>
    `mat1 and mat2 shapes cannot be multiplied (${a[0]}x${a[1]} and ${b[0]}x${b[1]})`,
  dot: (n: number, m: number) =>
    `inconsistent tensor size, expected tensor [${n}] and src [${m}] to have the same number of elements, but got ${n} and ${m} elements respectively`,
  mv: (mat: readonly number[], vec: number) => `size mismatch, got ${mat[0]}, ${mat[0]}x${mat[1]},${vec}`,
  matmul1d: (a: number, b: number) => `1D tensors expected, but got ${a}D and ${b}D tensors`,
  reshape: (shape: readonly number[], numel: number) => `shape '[${shape.join(', ')}]' is invalid for input of size ${numel}`,
  dimRange: (dim: number, ndim: number) => {
    const n = Math.max(ndim, 1);
    return `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`;
  },
  tDims: (ndim: number) => `t() expects a tensor with <= 2 dimensions, but self is ${ndim}D`,
  expand: (size: number, existing: number, dim: number, target: readonly number[], shape: readonly number[]) =>
    `The expanded size of the tensor (${size}) must match the existing size (${existing}) at non-singleton dimension ${dim}.  ` +
    `Target sizes: [${target.join(', ')}].  Tensor sizes: [${shape.join(', ')}]`,
  emptyReduction: (name: string) =>
    `${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
  raggedSequence: (expected: number, dim: number, got: number) => `expected sequence of length ${expected} at dim ${dim} (got ${got})`,
  notASequence: 'not a sequence',
  badElement: (type: string) => `must be real number, not ${type}`,
  versionMismatch: (shape: readonly number[], gradFn: string | null, current: number, expected: number) =>
    'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
    `[torch.FloatTensor [${shape.join(', ')}]]` +
    (gradFn === null ? '' : `, which is output 0 of ${gradFn},`) +
    ` is at version ${current}; expected version ${expected} instead. ` +
    'Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).',
  gradcheckNoInput:
    'gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.',
  gradcheckNotReentrant: (nondetTol: string) =>
    'Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, ' +
    `although analytical gradient matches numerical gradient.The tolerance for nondeterminism was ${nondetTol}.` +
    '\n\nNOTE: If your op relies on non-deterministic operations i.e., it is listed here:\n' +
    'https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html\n' +
    'this failure might be expected.\n\n' +
    'If you are adding a new operator, please file an issue and then use one of the\n' +
    'workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.\n' +
    'If the test\n' +
    '- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck\n' +
    '  with `nondet_tol=<tol>` as a keyword argument.\n' +
    '- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test\n' +
    '  to have `gradcheck_nondet_tol=<tol>`.\n' +
    '- is a Module test (e.g., in common_nn.py), then modify the corresponding\n' +
    '  module_test entry to have `gradcheck_nondet_tol=<tol>`\n',
  gradcheckZero: 'Numerical gradient for function expected to be zero',
  // Warnings (Python's UserWarning), emitted once each.
  nonLeafGrad:
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). " +
    'If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. ' +
    'If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. ' +
    'See github.com/pytorch/pytorch/pull/30531 for more informations.',
  createGraphCycle:
    'Using backward() with create_graph=True will create a reference cycle between the parameter and its gradient which can cause a memory leak. ' +
    'We recommend using autograd.grad when creating the graph to avoid this. ' +
    'If you have to use this function, make sure to reset the .grad fields of your parameters to None after use to break the cycle and avoid the leak.',
} as const;

type WarningListener = (message: string) => void;
const warned = new Set<string>();
let listener: WarningListener | null = null;

/**
 * Routes PyTorch's `UserWarning`s (non-leaf `.grad` access, `backward(createGraph)`) to `fn`, called on every
 * occurrence; `null` restores the default, which is `process.emitWarning` once per distinct message (Python's
 * default warning filter). Returns the previous listener.
 */
export function setWarningListener(fn: WarningListener | null): WarningListener | null {
  const previous = listener;
  listener = fn;
  return previous;
}

/** Emits a UserWarning through the current listener. */
export function warn(message: string): void {
  if (listener !== null) {
    listener(message);
    return;
  }
  if (warned.has(message)) return;
  warned.add(message);
  // Node's warning channel where there is one; a browser's console otherwise (the core runs in both).
  const runtime = (globalThis as { process?: { emitWarning?: (message: string, type: string) => void } }).process;
  if (typeof runtime?.emitWarning === 'function') runtime.emitWarning(message, 'UserWarning');
  else console.warn(`UserWarning: ${message}`);
}
