// A vitest setup module: list it in `setupFiles` to have `toHaveGradient` in every test file.
//
//   // vitest.config.ts
//   export default defineConfig({ test: { setupFiles: ['gradlab/harness/setup'] } });
import { expect } from 'vitest';
import { gradlabMatchers } from './matchers.ts';

expect.extend(gradlabMatchers);
