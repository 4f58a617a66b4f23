// An example suite for `gradlab report --suite docs/example-suite.ts`: functions, a program, and a family grown over n for cost and swell.
import type { MathNamespace } from 'gradlab';

export default {
  name: 'a family of sums',
  functions: [
    { name: 'wave', expr: 'sin(x) * cos(2*x)', at: { x: 0.3 } },
    {
      // A program: traced at its point; the report lists the comparison that chose the branch.
      name: 'damped loop',
      program: (v: { x: number }, m: MathNamespace) => {
        let s: unknown = v.x;
        for (let i = 0; i < 3; i++) s = m.mul(m.sin(s), 0.9);
        return m.gt(s, 0.2) ? m.mul(s, s) : s;
      },
      at: { x: 1.2 },
    },
  ],
  families: [
    {
      name: 'sum of products',
      // x1*sin(x2) + x2*sin(x3) + … : n inputs, each used twice.
      family: (n: number): string => Array.from({ length: n - 1 }, (_, i) => `x${i + 1} * sin(x${i + 2})`).join(' + '),
      ns: [4, 16, 64],
    },
  ],
};
