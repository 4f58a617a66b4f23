// One symbolic job on mathjs: derivative (and simplify) per variable, as a stream of step messages. Runs in the worker or in-process.
//
// Plain JavaScript so the worker thread needs no TypeScript loader; types are in mathjs-job.d.mts.
import { buildMathjs, flatMetrics, flattenMathjs } from './mathjs-flat.mjs';

/** True for the RangeError V8 throws when a recursion runs out of stack. */
export function isStackOverflow(error) {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * New names for the variables mathjs would not read as plain symbols: names of its own functions and constants
 * (`pi`, `e`, `i`, `sin`, …, which simplify may evaluate or misread) and names that are not identifiers.
 * Other variables keep their names, so mathjs's output reads (and orders its terms) as it would for the user.
 */
function safeSymbols(math, flat, freeVariables) {
  const taken = new Set(flat.strings);
  const rename = new Map();
  let k = 0;
  for (const name of freeVariables) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !(name in math)) continue;
    let safe;
    do safe = `gradlab_v${k++}`; while (taken.has(safe) || safe in math);
    rename.set(name, safe);
  }
  return rename;
}

/**
 * Differentiates `request.flat` with respect to each of `request.variables`, one step at a time,
 * yielding a message after each step: `{ kind: 'step', ... }`, or `{ kind: 'failed', ... }` and nothing more.
 * Output larger than `request.sizeBudget` tree nodes fails with reason 'size'; a stack overflow with reason 'overflow'.
 * @param {any} math a mathjs instance
 * @param {import('./mathjs-job.d.mts').MathjsJobRequest} request
 * @returns {Generator<import('./mathjs-job.d.mts').MathjsJobMessage>}
 */
export function* runMathjsJob(math, request) {
  const { flat, variables, simplify, sizeBudget } = request;
  const input = flatMetrics(flat);
  const toMathjs = safeSymbols(math, flat, request.freeVariables);
  const fromMathjs = new Map([...toMathjs].map(([name, safe]) => [safe, name]));
  let tree;
  try {
    tree = buildMathjs(math, flat, { rename: toMathjs });
  } catch (error) {
    yield { kind: 'failed', variable: variables[0], step: 'derive', reason: 'error', message: describe(error), ...input };
    return;
  }
  for (const variable of variables) {
    const steps = simplify ? ['derive', 'simplify'] : ['derive'];
    let node = tree;
    for (const step of steps) {
      const start = performance.now();
      let result;
      try {
        result = step === 'derive'
          ? math.derivative(node, new math.SymbolNode(toMathjs.get(variable) ?? variable), { simplify: false })
          : math.simplify(node);
      } catch (error) {
        const reason = isStackOverflow(error) ? 'overflow' : 'error';
        // The input of the step that overflowed: the expression, or the derivative being simplified.
        const size = step === 'derive' ? input : flatMetrics(flattenMathjs(node, { rename: fromMathjs }));
        yield { kind: 'failed', variable, step, reason, message: describe(error), ...size };
        return;
      }
      const ms = performance.now() - start;
      let out;
      try {
        out = flattenMathjs(result, { rename: fromMathjs });
      } catch (error) {
        yield { kind: 'failed', variable, step, reason: 'error', message: describe(error), ...input };
        return;
      }
      const size = flatMetrics(out);
      if (size.treeSize > sizeBudget) {
        yield { kind: 'failed', variable, step, reason: 'size', message: `${size.treeSize} tree nodes`, ms, ...size };
        return;
      }
      // Every step's result is sent: symbolic-simplified compares the simplified derivative with the unsimplified one.
      yield { kind: 'step', variable, step, ms, ...size, flat: out };
      node = result;
    }
  }
}
