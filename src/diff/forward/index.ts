// Forward mode's public face: the `forward-mode` method, jvp, vjp, jacobian, hessian, and the tangent builder.
export { forwardModeMethod, forwardGradient, cachedJvp } from './method.ts';
export { jvp, vjp, jacobian, hessian, type JvpResult, type VjpResult, type JacobianOptions, type JacobianResult, type HessianResult } from './api.ts';
export { tangentExpressions, directionNames, directionVariables } from './tangent.ts';
export { compileJvp, type CompiledJvp } from './jvp-program.ts';
