// The worker-thread entry when gradlab runs from its TypeScript source: loads campaign-worker.ts through tsx.
// (Loader flags such as --import do not reach worker threads' module hooks on Node 20; tsImport works in any thread.)
import { tsImport } from 'tsx/esm/api';

const worker = await tsImport('./campaign-worker.ts', import.meta.url);
export default worker.default;
