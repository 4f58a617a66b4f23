// Small integer powers as products, the way a person writes them: x³ = x²·x, x⁴ = (x²)², x⁻¹ = 1/x.
//
// V8 turns Math.pow(x, 2) into x·x but calls its general pow routine for other exponents (~40 ns, the cost of
// dozens of multiplications). x⁻¹ = 1/x is exact as Math.pow computes it; x³ and x⁴ as products may differ from
// Math.pow in the last bit (one extra rounding), which the compiled methods accept for a 5× faster polynomial.
// Which op is a power is the op table's fact (`integerPowerAsProducts`), not a name tested here.
import { apply, type Expr } from '../../ir/node.ts';
import { ops } from '../../ir/ops.ts';

/**
 * `node` as a division or product of smaller powers when its op writes integer powers as products
 * (`integerPowerAsProducts`) and its exponent is the constant −1, 3 or 4; else null.
 * The result's subexpressions are hash-consed, so `x³` reuses an `x²` the expression already holds.
 */
export function expandedPower(node: Expr): Expr | null {
  if (node.kind !== 'op' || ops[node.op].integerPowerAsProducts !== true) return null;
  const [base, exponent] = node.args;
  if (exponent.kind !== 'const') return null;
  switch (exponent.value) {
    case -1: return apply('div', 1, base);
    case 3: return apply('mul', apply(node.op, base, 2), base);
    case 4: return apply(node.op, apply(node.op, base, 2), 2);
    default: return null;
  }
}
