// An example program for `gradlab diff --file docs/example-program.ts --at x=1,y=2`: a loop and a branch (define-by-run).
import type { Program } from 'gradlab';

const loopAndBranch: Program = (v, m) => {
  let s = v.x;
  for (let i = 0; i < 3; i++) s = m.mul(m.sin(s), v.y);
  return s > 0.5 ? s : m.exp(s);
};
export default loopAndBranch;
