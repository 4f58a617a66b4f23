// The lessons' worked examples (reference §11 and shared/seeds), each printing exactly what PyTorch prints.
import { describe, expect, it } from 'vitest';
import { autogradTrace, noGrad, tensor, torch, type GradFn, type Tensor } from '../../../src/diff/autograd/index.ts';
import { parse } from '../../../src/ir/parse.ts';

/** Python's print(): arguments joined by spaces (a Tensor prints its repr; null prints None). */
const print = (...args: (Tensor | GradFn | string | null | boolean)[]): string =>
  args.map((a) => (a === null ? 'None' : typeof a === 'boolean' ? (a ? 'True' : 'False') : a.toString())).join(' ');

const leaf = (v: number) => tensor(v, { requiresGrad: true });

describe('reference §11 worked examples', () => {
  it('(a) y = x**2 + 3*x + 1 at x = 2', () => {
    const x = leaf(2);
    const y = x.pow(2).add(torch.mul(3, x)).add(1);
    expect(print(y)).toBe('tensor(11., grad_fn=<AddBackward0>)');
    y.backward();
    expect(print(x.grad)).toBe('tensor(7.)');
  });

  it('(b) z = x**2 + y**3 + x*y at (1, 2)', () => {
    const x = leaf(1), y = leaf(2);
    const z = x.pow(2).add(y.pow(3)).add(x.mul(y));
    expect(print(z)).toBe('tensor(11., grad_fn=<AddBackward0>)');
    z.backward();
    expect(print(x.grad, y.grad)).toBe('tensor(4.) tensor(13.)');
  });

  it('(c) loss = (w*x + b)**2 at x = 2, w = 3, b = 4', () => {
    const x = leaf(2), w = leaf(3), b = leaf(4);
    const loss = w.mul(x).add(b).pow(2);
    expect(print(loss)).toBe('tensor(100., grad_fn=<PowBackward0>)');
    loss.backward();
    expect(print(x.grad, w.grad, b.grad)).toBe('tensor(60.) tensor(40.) tensor(20.)');
  });

  it('(d) y = x**3 - 2*x**2 + x - 5 at x = 3', () => {
    const x = leaf(3);
    const y = x.pow(3).sub(torch.mul(2, x.pow(2))).add(x).sub(5);
    expect(print(y)).toBe('tensor(7., grad_fn=<SubBackward0>)');
    y.backward();
    expect(print(x.grad)).toBe('tensor(16.)');
  });

  it('(e) z = x**2 + y**3 at (2, 3)', () => {
    const x = leaf(2), y = leaf(3);
    const z = x.pow(2).add(y.pow(3));
    expect(print(z)).toBe('tensor(31., grad_fn=<AddBackward0>)');
    z.backward();
    expect(print(x.grad, y.grad)).toBe('tensor(4.) tensor(27.)');
  });

  it('(f) gradients accumulate across backward calls until zeroed; the freed graph refuses a fourth pass', () => {
    const x = leaf(2);
    const y = x.pow(2).add(torch.mul(3, x)).add(1);
    const lines: string[] = [];
    y.backward({ retainGraph: true });
    lines.push(print(x.grad));
    y.backward({ retainGraph: true });
    lines.push(print(x.grad));
    y.backward();
    lines.push(print(x.grad));
    x.grad!.zero_();
    lines.push(print(x.grad));
    expect(lines).toEqual(['tensor(7.)', 'tensor(14.)', 'tensor(21.)', 'tensor(0.)']);
    expect(() => y.backward()).toThrow(
      'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
        'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). ' +
        'Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
    );
    // Rebuilding y each loop without zeroing.
    const x2 = leaf(2);
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      x2.pow(2).add(torch.mul(3, x2)).add(1).backward();
      seen.push(print(x2.grad));
    }
    expect(seen).toEqual(['tensor(7.)', 'tensor(14.)']);
  });

  it('(g) under noGrad the result is plain: no grad_fn, requires_grad False', () => {
    const x = leaf(2);
    const y = noGrad(() => x.pow(2).add(torch.mul(3, x)).add(1));
    expect(print(y)).toBe('tensor(11.)');
    expect(print(y.requiresGrad)).toBe('False');
    expect(print(y.gradFn)).toBe('None');
  });
});

describe('shared/seeds worked examples', () => {
  it('001 (Lesson 05): x**2 at 2 has PowBackward0 and gradient 4; z = x²+y³ at (2,3) gives 4 and 27', () => {
    const x = leaf(2);
    expect(print(x)).toBe('tensor(2., requires_grad=True)');
    const y = x.pow(2);
    expect(print(y)).toBe('tensor(4., grad_fn=<PowBackward0>)');
    y.backward();
    expect(print(x.grad)).toBe('tensor(4.)');
    const a = leaf(2), b = leaf(3);
    a.pow(2).add(b.pow(3)).backward();
    expect(print(a.grad, b.grad)).toBe('tensor(4.) tensor(27.)');
  });

  it('001 practice 2: backward twice accumulates, zero_() resets', () => {
    const x = leaf(2);
    x.pow(2).backward();
    x.pow(2).backward();
    expect(print(x.grad)).toBe('tensor(8.)');
    x.grad!.zero_();
    expect(print(x.grad)).toBe('tensor(0.)');
  });

  it('002 (Autograd notebook) prints the same cells', () => {
    const out: string[] = [];
    let x = leaf(2);
    out.push(`x = ${x.format()}`);
    let y = x.pow(2).add(torch.mul(3, x)).add(1);
    out.push(`y = x² + 3x + 1 = ${y.format()}`);
    y.backward();
    out.push(`Gradient dy/dx = ${x.grad!.format()}`);

    x = leaf(1);
    y = leaf(2);
    const z = x.pow(2).add(y.pow(3)).add(x.mul(y));
    out.push(`z = x² + y³ + xy = ${z.format()}`);
    z.backward();
    out.push(`∂z/∂x = ${x.grad!.format()}`);
    out.push(`∂z/∂y = ${y.grad!.format()}`);

    x = leaf(2);
    const w = leaf(3), b = leaf(4);
    const y1 = w.mul(x).add(b);
    const loss = y1.pow(2);
    loss.backward();
    out.push(print('dloss/dx:', x.grad), print('dloss/dw:', w.grad), print('dloss/db:', b.grad));

    x = leaf(3);
    const y2 = x.pow(3).sub(torch.mul(2, x.pow(2))).add(x).sub(5);
    y2.backward();
    out.push(print(x.grad));
    expect(out.join('\n')).toBe(
      [
        'x = 2.0',
        'y = x² + 3x + 1 = 11.0',
        'Gradient dy/dx = 7.0',
        'z = x² + y³ + xy = 11.0',
        '∂z/∂x = 4.0',
        '∂z/∂y = 13.0',
        'dloss/dx: tensor(60.)',
        'dloss/dw: tensor(40.)',
        'dloss/db: tensor(20.)',
        'tensor(16.)',
      ].join('\n'),
    );
  });

  it('000 (Module 1): leaves and results carry data, grad, grad_fn, is_leaf and requires_grad', () => {
    const x = leaf(2);
    const y = x.pow(2);
    expect([x.isLeaf, x.requiresGrad, x.gradFn, x.grad]).toEqual([true, true, null, null]);
    expect([y.isLeaf, y.requiresGrad, y.gradFn?.name]).toEqual([false, true, 'PowBackward0']);
  });
});

describe('the lesson trace (gradlab autograd "<expr>" --at x=2)', () => {
  it('prints the output tensor then each input grad, from the IR', () => {
    expect(autogradTrace(parse('x**2 + 3*x + 1'), { x: 2 })).toBe('y = tensor(11., grad_fn=<AddBackward0>)\nx.grad = tensor(7.)');
    expect(autogradTrace(parse('x^3 - 2*x^2 + x - 5'), { x: 3 })).toBe('y = tensor(7., grad_fn=<SubBackward0>)\nx.grad = tensor(16.)');
    expect(autogradTrace(parse('(w*x + b)^2'), { x: 2, w: 3, b: 4 }, ['x', 'w', 'b'])).toBe(
      'y = tensor(100., grad_fn=<PowBackward0>)\nx.grad = tensor(60.)\nw.grad = tensor(40.)\nb.grad = tensor(20.)',
    );
    expect(autogradTrace(parse('x^2 + y^3 + x*y'), { x: 1, y: 2 })).toBe(
      'z = tensor(11., grad_fn=<AddBackward0>)\nx.grad = tensor(4.)\ny.grad = tensor(13.)',
    );
  });

  it('shows None for an unreached variable and PyTorch’s error for a constant', () => {
    expect(autogradTrace(parse('x * 2'), { x: 1, u: 5 })).toBe('y = tensor(2., grad_fn=<MulBackward0>)\nx.grad = tensor(2.)\nu.grad = None');
    expect(autogradTrace(parse('2 + 3'), {})).toBe(
      'y = tensor(5.)\nRuntimeError: element 0 of tensors does not require grad and does not have a grad_fn',
    );
  });
});
