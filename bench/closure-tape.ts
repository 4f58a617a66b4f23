// The baseline: a micrograd-style closure tape (one Value object, one `_backward` closure and one `_prev` Set per node).
//
// Kept deliberately naive, as micrograd writes it, so the benchmark measures what the engine's design saves; only
// the topological sort is iterative (micrograd's is recursive and would overflow on long chains).

/** A scalar node of the closure tape. */
export class Value {
  data: number;
  grad = 0;
  _backward: () => void = () => {};
  readonly _prev: Set<Value>;
  readonly _op: string;

  constructor(data: number, children: readonly Value[] = [], op = '') {
    this.data = data;
    this._prev = new Set(children);
    this._op = op;
  }

  /** `this + other`. */
  add(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data + o.data, [this, o], '+');
    out._backward = () => {
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  /** tanh (for the micrograd network case of bench/tensor.ts). */
  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this], 'tanh');
    out._backward = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  /** `this * other`. */
  mul(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data * o.data, [this, o], '*');
    out._backward = () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  /** `this ** k` for a number k. */
  pow(k: number): Value {
    const out = new Value(this.data ** k, [this], `**${k}`);
    out._backward = () => {
      this.grad += k * this.data ** (k - 1) * out.grad;
    };
    return out;
  }

  /** `-this`. */
  neg(): Value {
    return this.mul(-1);
  }

  /** `this - other`. */
  sub(other: Value | number): Value {
    return this.add(other instanceof Value ? other.neg() : -other);
  }

  /** `other - this`. */
  rsub(other: number): Value {
    return this.neg().add(other);
  }

  /** Fills `grad` of every node reachable from this one with d this / d node. */
  backward(): void {
    const topo: Value[] = [];
    const visited = new Set<Value>();
    const stack: [Value, Iterator<Value>][] = [[this, this._prev.values()]];
    visited.add(this);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const next = top[1].next();
      if (next.done) {
        topo.push(top[0]);
        stack.pop();
      } else if (!visited.has(next.value)) {
        visited.add(next.value);
        stack.push([next.value, next.value._prev.values()]);
      }
    }
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) topo[i]._backward();
  }
}
