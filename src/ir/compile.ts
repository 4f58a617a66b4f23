// The IR compiler: an expression becomes a plain JavaScript function of an array of variable values.
import { requireExpr, type Expr } from './node.ts';
import { topologicalOrder } from './traverse.ts';
import { checkChunkSize, compileProgram, defaultChunkSize, opInstruction, type Instruction, type Operand } from './codegen.ts';

/** A compiled expression: takes the variables' values in the order given to {@link compile}. */
export type CompiledFunction = (values: ArrayLike<number>) => number;

/** Options for {@link compile}. */
export interface CompileOptions {
  /** Instructions per generated function; smaller chunks keep V8 optimizing large expressions. */
  chunkSize?: number;
}

/**
 * Checks a variable list argument: an array of non-empty strings. `where` names the caller.
 * @throws TypeError naming the first bad entry.
 */
export function checkVariableList(variables: unknown, where: string): readonly string[] {
  if (!Array.isArray(variables)) throw new TypeError(`${where}: the variable list must be an array of names, got ${variables === null ? 'null' : typeof variables}`);
  variables.forEach((name, i) => {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${where}: variable ${i} must be a non-empty string, got ${typeof name === 'string' ? "''" : typeof name}`);
  });
  return variables;
}

/**
 * Maps each variable name to its input index, rejecting duplicates and names the expression uses but the list lacks.
 * @throws Error naming the missing or repeated variables.
 */
export function variableIndex(exprs: Expr | readonly Expr[], variables: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  variables.forEach((name, i) => {
    if (index.has(name)) throw new Error(`variable '${name}' is listed twice`);
    index.set(name, i);
  });
  const missing = new Set<string>();
  for (const node of topologicalOrder(exprs)) if (node.kind === 'var' && !index.has(node.name)) missing.add(node.name);
  if (missing.size > 0) {
    throw new Error(`the expression uses ${[...missing].map((m) => `'${m}'`).join(', ')} but the variable list is [${variables.join(', ')}]`);
  }
  return index;
}

/**
 * Lowers a DAG to a straight-line program: one instruction per op node, variables and constants as operands.
 * Returns the instructions and each node's operand, so callers (the gradient compiler) can extend the program.
 */
export function lowerToProgram(
  exprs: Expr | readonly Expr[],
  variables: readonly string[],
): { instructions: Instruction[]; operandOf: Map<number, Operand>; order: Expr[] } {
  const inputs = variableIndex(exprs, variables);
  const order = topologicalOrder(exprs);
  const operandOf = new Map<number, Operand>();
  const instructions: Instruction[] = [];
  for (const node of order) {
    if (node.kind === 'const') operandOf.set(node.id, { kind: 'const', value: node.value });
    else if (node.kind === 'var') operandOf.set(node.id, { kind: 'input', index: inputs.get(node.name)! });
    else {
      const args = node.args.map((a) => operandOf.get(a.id)!);
      operandOf.set(node.id, { kind: 'slot', index: instructions.length });
      instructions.push(opInstruction(node.op, args));
    }
  }
  return { instructions, operandOf, order };
}

/**
 * Compiles `expr` to a JavaScript function of the variables' values, in the order of `variables`.
 * Safe for any variable name or constant: names never enter the generated code.
 * Large expressions are split into chunk functions so V8 still optimizes them.
 */
export function compile(expr: Expr, variables: readonly string[], options: CompileOptions = {}): CompiledFunction {
  requireExpr(expr, 'compile');
  checkVariableList(variables, 'compile');
  if (typeof options !== 'object' || options === null) throw new TypeError(`compile: options must be an object, got ${options === null ? 'null' : typeof options}`);
  const chunkSize = checkChunkSize(options.chunkSize === undefined ? defaultChunkSize : options.chunkSize, 'compile');
  const { instructions, operandOf } = lowerToProgram(expr, variables);
  const program = compileProgram(instructions, [operandOf.get(expr.id)!], chunkSize);
  const out = new Float64Array(1);
  return (values) => program(values, out);
}
