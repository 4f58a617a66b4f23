// The symbolic Web Worker: runs the mathjs methods (derivative, simplify) off the page's thread; the page terminates it when the time budget runs out.
import { getMethod } from '../../src/diff/registry.ts';
import { askMethod } from '../../src/harness/answers.ts';
import { parse } from '../../src/ir/parse.ts';
import * as mathjs from 'mathjs';
import { preloadMathjs } from '../../src/diff/symbolic/mathjs-host-thread.ts';
import { rowOf } from './compute.ts';
import type { SymbolicJob, SymbolicReply } from './protocol.ts';

const post = (reply: SymbolicReply) => (self as unknown as Worker).postMessage(reply);

// In a browser gradlab's mathjs host is the in-thread one (this worker's thread): load mathjs into it first. mathjs
// builds its typed functions lazily: one derivative and simplify now keep that out of the first job's budget.
// The handler is installed at once (a message that arrives before it would be lost) and waits for the load.
const loaded = preloadMathjs().then(() => {
  mathjs.simplify(mathjs.derivative('x^2 * sin(x) / (1 + x)', 'x', { simplify: false }));
  post({ kind: 'ready' });
});

self.onmessage = async (event: MessageEvent<SymbolicJob>) => {
  await loaded;
  const job = event.data;
  post({ kind: 'started', id: job.id });
  const method = getMethod(job.method);
  const expr = parse(job.text);
  const answer = askMethod(method, { expr, variables: job.variables, point: Float64Array.from(job.point) }, {
    timeBudgetMs: job.timeBudgetMs,
    sizeBudget: job.sizeBudget,
  });
  const row = rowOf(method, answer, 'worker');
  post({ kind: 'row', id: job.id, row });
};
