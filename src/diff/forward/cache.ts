// A cache of compiled programs keyed by expressions (held weakly) and a text key (variables, kind of program).
import type { Expr } from '../../ir/node.ts';

const cache = new WeakMap<Expr, Map<string, unknown>>();

/**
 * The value `make()` built for these expressions and key, built now on the first request. The entry lives
 * as long as `exprs[0]` does; the key must name everything else the value depends on.
 */
export function memoize<T>(exprs: readonly Expr[], key: string, make: () => T): T {
  const anchor = exprs[0];
  let entries = cache.get(anchor);
  if (entries === undefined) cache.set(anchor, (entries = new Map()));
  const fullKey = `${exprs.map((e) => e.id).join(',')}|${key}`;
  if (entries.has(fullKey)) return entries.get(fullKey) as T;
  const value = make();
  entries.set(fullKey, value);
  return value;
}
