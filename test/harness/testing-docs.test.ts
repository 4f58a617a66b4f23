// docs/testing.md runs: its TypeScript example executes (matchers, gradcheck, a property) and logs what its `// →` comments say.
import { runDocs } from '../helpers/docs.ts';

runDocs('docs/testing.md');
