// A vitest setup module: registers `toHaveGradient` and declares its type on vitest's `expect`.
//
// In one test file:        import 'gradlab/harness/setup';
// For every test file:     // vitest.config.ts
//                          /// <reference types="gradlab/harness/setup" />
//                          export default defineConfig({ test: { setupFiles: ['gradlab/harness/setup'] } });
//
// vitest reads `setupFiles` as strings, so TypeScript never sees this module through them: the reference line
// (in any file your tsconfig includes) is what brings the `toHaveGradient` declaration below into scope. The
// declaration lives here, not beside the matcher, so `gradlab/harness` type-checks where vitest is not installed.
import { expect } from 'vitest';
import { gradlabMatchers, type ExpectedGradient, type ToHaveGradientOptions } from './matchers.ts';

/** Re-exported so this module's declarations carry the matcher's types. */
export type { ExpectedGradient, ToHaveGradientOptions } from './matchers.ts';

expect.extend(gradlabMatchers);

declare module 'vitest' {
  interface Assertion<T = any> {
    /**
     * Asserts the gradient of an expression (or expression text, or a function of autograd tensors) at a point.
     * See {@link ToHaveGradientOptions}.
     */
    toHaveGradient(expected: ExpectedGradient, options: ToHaveGradientOptions): T;
  }
  interface AsymmetricMatchersContaining {
    toHaveGradient(expected: ExpectedGradient, options: ToHaveGradientOptions): unknown;
  }
}
