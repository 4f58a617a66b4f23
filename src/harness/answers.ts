// Asking one method for a gradient without letting it take the harness down: answers, refusals, budget cut-offs and crashes.
import type { GradientMethod, GradientResult } from '../diff/method.ts';
import { MethodUnavailableError } from '../diff/method.ts';
import type { GradientCase } from './arbitraries.ts';

/** How a method responded. `unavailable` and `budget` are declared refusals, `crash` an unexpected exception. */
export type AnswerStatus = 'ok' | 'unavailable' | 'budget' | 'crash';

/** One method's response to one case. */
export interface MethodAnswer {
  readonly method: string;
  readonly status: AnswerStatus;
  /** The method's result when `status` is `ok`. */
  readonly result?: GradientResult;
  /** Why the method refused or crashed. */
  readonly reason?: string;
  /** Wall time of `compute`, milliseconds. */
  readonly timeMs: number;
}

/** Method-specific options for a run, keyed by method name (budgets for the symbolic methods, a step for FD). */
export type MethodOptions = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** True when a refusal is a budget cut-off: the error says so (`cutOff`), or its reason names a budget or limit. */
export function isBudgetCutOff(error: MethodUnavailableError): boolean {
  const flagged = (error as { cutOff?: unknown }).cutOff;
  if (typeof flagged === 'boolean') return flagged;
  return /budget|time limit|size limit|timed out/i.test(error.reason);
}

/** Runs `method` on the case, turning refusals and exceptions into answers instead of throwing. */
export function askMethod(method: GradientMethod, c: GradientCase, options: Readonly<Record<string, unknown>> = {}): MethodAnswer {
  const start = performance.now();
  try {
    const result = method.compute({ expr: c.expr, variables: c.variables, point: c.point, options });
    return { method: method.name, status: 'ok', result, timeMs: performance.now() - start };
  } catch (error) {
    const timeMs = performance.now() - start;
    if (error instanceof MethodUnavailableError) {
      return { method: method.name, status: isBudgetCutOff(error) ? 'budget' : 'unavailable', reason: error.reason, timeMs };
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { method: method.name, status: 'crash', reason, timeMs };
  }
}
