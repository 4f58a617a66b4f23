// A cache of compiled programs (adjoint, JVP, Jacobian, Hessian) keyed by expressions (held weakly), a kind of program and a variable list, looked up without allocating.
import type { Expr } from '../../ir/node.ts';

interface Entry {
  readonly exprs: readonly Expr[];
  readonly kind: string;
  /** A copy: the caller may change its own array later. */
  readonly variables: readonly string[];
  readonly value: unknown;
}

const cache = new WeakMap<Expr, Entry[]>();
// Entries again by the caller's variable array, only for frozen arrays: a frozen list cannot change, so finding it
// by identity is enough (O(1) instead of comparing n names, which at n = 100 costs more than the gradient itself).
const byFrozenList = new WeakMap<readonly string[], Entry[]>();

/** Equal entry by entry: a few ns per name, since equal strings from one source are usually the same string. */
export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The value `make()` built for these expressions, kind and variables, built now on the first request. The entry
 * lives as long as `exprs[0]` does (and as long as a frozen `variables` array it was looked up with); `kind` must
 * name everything else the value depends on. A lookup compares the expressions by identity and the variables entry
 * by entry, no key string built per call (that was O(n) text for n variables on every gradient); a frozen variable
 * array is found by identity, in O(1).
 */
export function memoize<T>(exprs: readonly Expr[], kind: string, variables: readonly string[], make: () => T): T {
  const frozen = Object.isFrozen(variables);
  if (frozen) {
    const known = byFrozenList.get(variables);
    if (known !== undefined) for (const entry of known) if (entry.kind === kind && sameList(entry.exprs, exprs)) return entry.value as T;
  }
  const anchor = exprs[0];
  let entries = cache.get(anchor);
  if (entries === undefined) cache.set(anchor, (entries = []));
  let found: Entry | undefined;
  for (const entry of entries) {
    if (entry.kind === kind && sameList(entry.exprs, exprs) && sameList(entry.variables, variables)) {
      found = entry;
      break;
    }
  }
  if (found === undefined) {
    found = { exprs: [...exprs], kind, variables: [...variables], value: make() };
    entries.push(found);
  }
  if (frozen) {
    const known = byFrozenList.get(variables);
    if (known === undefined) byFrozenList.set(variables, [found]);
    else known.push(found);
  }
  return found.value as T;
}
