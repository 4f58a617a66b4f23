// Small integer powers as products, the way a person writes them: x³ = x²·x, x⁴ = (x²)², x⁻¹ = 1/x.
//
// V8 turns Math.pow(x, 2) into x·x but calls its general pow routine for other exponents (~40 ns, the cost of
// dozens of multiplications). x⁻¹ = 1/x is exact as Math.pow computes it; x³ and x⁴ as products may differ from
// Math.pow in the last bit (one extra rounding), which the compiled methods accept for a 5× faster polynomial.
import { apply, type Expr } from '../../ir/node.ts';

/**
 * `base^exponent` as a division or product of smaller powers when the exponent is −1, 3 or 4, else null.
 * The result's subexpressions are hash-consed, so `x³` reuses an `x²` the expression already holds.
 */
export function expandedPower(base: Expr, exponent: number): Expr | null {
  switch (exponent) {
    case -1: return apply('div', 1, base);
    case 3: return apply('mul', apply('pow', base, 2), base);
    case 4: return apply('pow', apply('pow', base, 2), 2);
    default: return null;
  }
}
