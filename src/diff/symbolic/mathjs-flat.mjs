// The flat exchange format for mathjs expressions (a post-order node list in typed arrays), and its iterative conversions to and from mathjs nodes.
//
// Plain JavaScript so the mathjs worker thread can load it without a TypeScript loader; types are in mathjs-flat.d.mts.
// Columns of typed arrays cross threads as fast copies (a 300,000-node expression in milliseconds, where the same
// nodes as objects take half a second). Nothing here recurses: mathjs's own tree walks overflow near a few thousand
// levels, these walks do not.

/** Node kinds in the `type` column. */
export const SYMBOL = 0, CONSTANT = 1, OPERATOR = 2, FUNCTION = 3;

const noArgs = Object.freeze([]);

/**
 * Appends nodes (children before parents), interning strings and, with `merge` (the default), merging structurally
 * equal nodes; `finish` yields the flat form. Pass `merge = false` when the source is already hash-consed.
 */
export class FlatBuilder {
  constructor(merge = true) {
    this.merge = merge;
    this.type = [];
    this.label = []; // symbol name, operator function (`add`), or function name: index into strings
    this.symbol = []; // operator symbol (`+`): index into strings; -1 for other kinds
    this.value = [];
    this.argStart = [0];
    this.args = [];
    this.strings = [];
    this.stringIndex = new Map();
    this.byKey = new Map();
  }

  string(text) {
    let index = this.stringIndex.get(text);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, index);
    }
    return index;
  }

  add(type, label, symbol, value, args, key) {
    if (this.merge) {
      const found = this.byKey.get(key);
      if (found !== undefined) return found;
    }
    const index = this.type.length;
    this.type.push(type);
    this.label.push(label);
    this.symbol.push(symbol);
    this.value.push(value);
    for (const a of args) this.args.push(a);
    this.argStart.push(this.args.length);
    if (this.merge) this.byKey.set(key, index);
    return index;
  }

  /** A mathjs SymbolNode. */
  addSymbol(name) {
    const label = this.string(name);
    return this.add(SYMBOL, label, -1, 0, noArgs, this.merge ? `s${label}` : '');
  }

  /** A mathjs ConstantNode holding a number. */
  addConstant(value) {
    return this.add(CONSTANT, -1, -1, value, noArgs, this.merge ? `c${Object.is(value, -0) ? '-0' : value}` : '');
  }

  /** A mathjs OperatorNode (`op` its symbol, `fn` its function name); `args` are indices of earlier nodes. */
  addOperator(op, fn, args) {
    const label = this.string(fn);
    return this.add(OPERATOR, label, this.string(op), 0, args, this.merge ? `o${label}(${args.join(',')})` : '');
  }

  /** A mathjs FunctionNode calling `name`; `args` are indices of earlier nodes. */
  addFunction(name, args) {
    const label = this.string(name);
    return this.add(FUNCTION, label, -1, 0, args, this.merge ? `f${label}(${args.join(',')})` : '');
  }

  /** The flat expression rooted at node `root`. */
  finish(root) {
    return {
      root,
      type: Uint8Array.from(this.type),
      label: Int32Array.from(this.label),
      symbol: Int32Array.from(this.symbol),
      value: Float64Array.from(this.value),
      argStart: Int32Array.from(this.argStart),
      args: Int32Array.from(this.args),
      strings: this.strings,
    };
  }
}

/** The argument indices of flat node `i`. */
export function flatArgs(flat, i) {
  return flat.args.subarray(flat.argStart[i], flat.argStart[i + 1]);
}

/**
 * Builds mathjs nodes from a flat expression. Each flat node is written out afresh for every use
 * (mathjs expects trees), unless `share` is set, when each flat node becomes one shared mathjs object.
 * `rename` maps symbol names to the names the mathjs nodes get.
 * @param {any} math the mathjs instance (its node constructors are used)
 * @param {{ share?: boolean, rename?: Map<string, string> }} [options]
 */
export function buildMathjs(math, flat, options = {}) {
  const { type, label, symbol, value, argStart, args, strings } = flat;
  const rename = options.rename;
  const make = (i, children) => {
    switch (type[i]) {
      case SYMBOL: return new math.SymbolNode(rename?.get(strings[label[i]]) ?? strings[label[i]]);
      case CONSTANT: return new math.ConstantNode(value[i]);
      case OPERATOR: return new math.OperatorNode(strings[symbol[i]], strings[label[i]], children);
      default: return new math.FunctionNode(new math.SymbolNode(strings[label[i]]), children);
    }
  };
  if (options.share) {
    // Flat nodes are in post-order: one forward pass builds each once.
    const built = new Array(type.length);
    for (let i = 0; i < type.length; i++) {
      const children = [];
      for (let k = argStart[i]; k < argStart[i + 1]; k++) children.push(built[args[k]]);
      built[i] = make(i, children);
    }
    return built[flat.root];
  }
  // A post-order walk of the tree (not the DAG) with an explicit stack: shared flat nodes are rebuilt per use.
  const stack = [flat.root];
  const next = [argStart[flat.root]];
  const values = [];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const i = stack[top];
    if (next[top] < argStart[i + 1]) {
      const child = args[next[top]++];
      stack.push(child);
      next.push(argStart[child]);
      continue;
    }
    stack.pop();
    next.pop();
    const arity = argStart[i + 1] - argStart[i];
    const children = arity === 0 ? [] : values.splice(values.length - arity, arity);
    values.push(make(i, children));
  }
  return values[0];
}

const noChildren = Object.freeze([]);

/** The children of a mathjs node this format knows, or throws naming the node type it does not. */
function childrenOf(node) {
  switch (node.type) {
    case 'SymbolNode':
    case 'ConstantNode':
      return noChildren;
    case 'OperatorNode':
    case 'FunctionNode':
      return node.args;
    case 'ParenthesisNode':
      return [node.content];
    default:
      throw new Error(`mathjs ${node.type ?? typeof node} has no counterpart in gradlab's expressions`);
  }
}

function constantValue(node) {
  const raw = node.value;
  const value = typeof raw === 'number' ? raw : typeof raw?.valueOf === 'function' ? Number(raw.valueOf()) : NaN;
  if (typeof raw !== 'number' && Number.isNaN(value)) throw new Error(`mathjs constant ${String(raw)} is not a number`);
  return value;
}

/**
 * Flattens a mathjs node into the flat format, iteratively. Parentheses are dropped, each distinct
 * object is visited once, and structurally equal subtrees become one flat node (so the result is a DAG).
 * `rename` maps mathjs symbol names to the names the flat form gets.
 * @param {{ rename?: Map<string, string> }} [options]
 */
export function flattenMathjs(root, options = {}) {
  const rename = options.rename;
  const out = new FlatBuilder();
  const indexOf = new Map(); // mathjs object → flat index (-1 while on the stack)
  const stack = [root];
  const next = [0];
  indexOf.set(root, -1);
  while (stack.length > 0) {
    const top = stack.length - 1;
    const node = stack[top];
    const children = childrenOf(node);
    if (next[top] < children.length) {
      const child = children[next[top]++];
      if (!indexOf.has(child)) {
        indexOf.set(child, -1); // mathjs expressions are trees or DAGs, never cyclic
        stack.push(child);
        next.push(0);
      }
      continue;
    }
    stack.pop();
    next.pop();
    let index;
    switch (node.type) {
      case 'ParenthesisNode': index = indexOf.get(node.content); break;
      case 'SymbolNode': index = out.addSymbol(rename?.get(node.name) ?? node.name); break;
      case 'ConstantNode': index = out.addConstant(constantValue(node)); break;
      case 'OperatorNode': index = out.addOperator(node.op, node.fn, children.map((c) => indexOf.get(c))); break;
      default: index = out.addFunction(node.fn?.name ?? node.name, children.map((c) => indexOf.get(c)));
    }
    indexOf.set(node, index);
  }
  return out.finish(indexOf.get(root));
}

/** Tree size (nodes when written out without sharing, as mathjs holds it), DAG size and depth of a flat expression. */
export function flatMetrics(flat) {
  const n = flat.type.length;
  const tree = new Float64Array(n);
  const depth = new Float64Array(n);
  const { argStart, args } = flat;
  for (let i = 0; i < n; i++) {
    let size = 1;
    let d = 0;
    for (let k = argStart[i]; k < argStart[i + 1]; k++) {
      size += tree[args[k]];
      if (depth[args[k]] > d) d = depth[args[k]];
    }
    tree[i] = size;
    depth[i] = d + 1;
  }
  return { treeSize: tree[flat.root], dagSize: n, depth: depth[flat.root] };
}
