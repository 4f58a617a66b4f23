// A vitest setup module: list it in `setupFiles` to have `toHaveGradient` in every test file.
//
//   // vitest.config.ts
//   /// <reference types="gradlab/harness/setup" />
//   export default defineConfig({ test: { setupFiles: ['gradlab/harness/setup'] } });
//
// vitest reads `setupFiles` as strings, so TypeScript never sees this module through them: the reference line
// (in any file your tsconfig includes) is what brings the `toHaveGradient` declaration below into scope.
import { expect } from 'vitest';
import { gradlabMatchers } from './matchers.ts';

/** Re-exported so this module's declarations carry the matcher's `declare module 'vitest'` augmentation. */
export type { ExpectedGradient, ToHaveGradientOptions } from './matchers.ts';

expect.extend(gradlabMatchers);
