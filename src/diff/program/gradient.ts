// A program's gradient by any registered method: define-by-run methods run the program in their arithmetic; the others differentiate its trace, valid where the guards hold.
import type { GradientMethod, GradientResult, ProgramRequest } from '../method.ts';
import { readNumericOptions } from '../numeric/gradient.ts';
import type { SchemeName } from '../numeric/error-model.ts';
import { complexGradient, dualGradient, numericProgramGradient, tensorGradient } from './define-by-run.ts';
import type { Program } from './run.ts';
import { sameTape, traceAt, type ProgramTrace } from './trace.ts';

type Runner = (method: GradientMethod, request: ProgramRequest) => GradientResult;

const numeric = (scheme: Exclude<SchemeName, 'complex-step'>): Runner => (method, { program, variables, point, options }) =>
  numericProgramGradient(program, traceAt(program, variables, point), scheme, readNumericOptions(options), method.name);

/**
 * The built-in methods that run the program itself, in their own arithmetic, by name. A method not listed (the
 * symbolic ones, a user's) differentiates the trace; a user's method can run programs itself through
 * `GradientMethod.computeProgram`.
 */
const defineByRun: Readonly<Record<string, Runner>> = {
  autograd: (_method, r) => tensorGradient(r.program, r.variables, r.point),
  'forward-mode': (_method, r) => dualGradient(r.program, r.variables, r.point),
  'complex-step': (method, r) => complexGradient(r.program, r.variables, r.point, readNumericOptions(r.options), method.name),
  numeric: numeric('central'),
  'numeric-central': numeric('central'),
  'numeric-forward': numeric('forward'),
  'numeric-backward': numeric('backward'),
  'numeric-five-point': numeric('five-point'),
  'numeric-richardson': numeric('richardson'),
  'autograd-compiled': compiledGradient,
};

/** The sentence every trace-based answer carries: where its derivative holds. */
export function guardNote(trace: ProgramTrace): string {
  if (trace.guards.length === 0) {
    return 'differentiated the trace of the program at this point; no comparison read a traced value, so the trace does not depend on a guard';
  }
  const shown = trace.guards.slice(0, 8).map((g, i) => `(${i + 1}) ${g.text}`);
  const more = trace.guards.length > 8 ? `; … ${trace.guards.length - 8} more` : '';
  return `differentiated the trace of the program at this point: the derivative holds only where every guard holds (${trace.guards.length}): ${shown.join('; ')}${more}`;
}

/** Differentiates the trace at the point with the method, and says where the answer holds. */
function traced(method: GradientMethod, { program, variables, point, options }: ProgramRequest): GradientResult {
  const trace = traceAt(program, variables, point);
  const result = method.compute({ expr: trace.expr, variables, point, options });
  return withTrace(result, trace);
}

function withTrace(result: GradientResult, trace: ProgramTrace, extra: Record<string, unknown> = {}): GradientResult {
  return {
    ...result,
    notes: [guardNote(trace), ...(result.notes ?? [])],
    extra: { ...result.extra, trace: trace.expr, guards: trace.guards, ...extra },
  };
}

/** The last trace per program (held weakly), which autograd-compiled reuses while the program stays on its path. */
const traces = new WeakMap<Program, ProgramTrace[]>();

/**
 * `autograd-compiled` on a program: the trace is compiled (by the method itself, which caches per expression) and
 * kept; each call first re-checks the guards by replaying the program on numbers against the trace's tape, and
 * re-traces (and compiles the new path) only when that check fails. `extra.retraced` says which happened.
 */
function compiledGradient(method: GradientMethod, { program, variables, point, options }: ProgramRequest): GradientResult {
  const kept = traces.get(program) ?? [];
  let trace = kept.find((t) => t.variables.length === variables.length && t.variables.every((v, i) => v === variables[i]));
  const retraced = trace === undefined || !sameTape(program, trace, point);
  if (retraced) {
    trace = traceAt(program, variables, point);
    traces.set(program, [trace, ...kept.filter((t) => t !== trace && !(t.variables.length === variables.length && t.variables.every((v, i) => v === variables[i])))]);
  }
  const result = method.compute({ expr: trace!.expr, variables, point, options });
  return withTrace(result, trace!, { retraced });
}

/** The gradient of a program by `method`: its own program support, a define-by-run runner, or its answer on the trace. */
export function programGradient(method: GradientMethod, request: ProgramRequest): GradientResult {
  if (method.computeProgram !== undefined) return method.computeProgram(request);
  const runner = Object.prototype.hasOwnProperty.call(defineByRun, method.name) ? defineByRun[method.name] : undefined;
  return runner !== undefined ? runner(method, request) : traced(method, request);
}
