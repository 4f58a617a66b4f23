// An example suite for `gradlab report --suite docs/example-suite.ts`: functions, and a family grown over n for cost and swell.
export default {
  name: 'a family of sums',
  functions: [{ name: 'wave', expr: 'sin(x) * cos(2*x)', at: { x: 0.3 } }],
  families: [
    {
      name: 'sum of products',
      // x1*sin(x2) + x2*sin(x3) + … : n inputs, each used twice.
      family: (n: number): string => Array.from({ length: n - 1 }, (_, i) => `x${i + 1} * sin(x${i + 2})`).join(' + '),
      ns: [4, 16, 64],
    },
  ],
};
