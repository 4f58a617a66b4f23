// The hostile-input corpus: malformed or unsupported strings, each with the message fragment and position its refusal must carry.

/** One refused input: what `parse` is given, a fragment its ParseError message must contain, and the exact 0-based position. */
export interface HostileInput {
  readonly label: string;
  readonly input: string;
  readonly message: string;
  readonly position: number;
}

const row = (label: string, input: string, message: string, position: number): HostileInput => ({ label, input, message, position });

export const hostileInputs: readonly HostileInput[] = [
  // Empty or unbalanced
  row('empty input', '', 'empty expression', 0),
  row('only whitespace', '   \t ', 'empty expression', 0),
  row('only line breaks', '\n\n', 'empty expression', 0),
  row('empty parentheses', '()', "empty parentheses '()'", 0),
  row('empty parentheses with a space', 'x * ( )', "empty parentheses '()'", 4),
  row('unclosed parenthesis', '(x', "unbalanced parentheses: unclosed '('", 0),
  row('innermost unclosed parenthesis', '(x + (y', "unbalanced parentheses: unclosed '('", 5),
  row('unmatched closing parenthesis', 'x)', "unbalanced parentheses: unmatched ')'", 1),
  row('closing parenthesis first', ')x(', "unbalanced parentheses: unmatched ')'", 0),
  row('a 1 MB string of (', '('.repeat(1 << 20), "unbalanced parentheses: unclosed '('", (1 << 20) - 1),
  row('x followed by 100,000 )', `x${')'.repeat(100_000)}`, "unbalanced parentheses: unmatched ')'", 1),

  // Operators in the wrong place
  row('trailing operator', 'x +', "unexpected end of input after '+'", 2),
  row('trailing operator then a line break', 'x *\n', "unexpected end of input after '*'", 2),
  row('lone minus', '-', "unexpected end of input after '-'", 0),
  row('leading binary operator', '* x', "unexpected '*'", 0),
  row('two operators in a row', 'x + * y', "unexpected '*' after '+' at position 4; two operators in a row", 4),
  row('doubled **', 'x ** ** 2', "unexpected '**' after '**'", 5),
  row('doubled ^', '2 ^^ 3', "unexpected '^' after '^'", 3),
  row('power with no exponent', 'e^', "unexpected end of input after '^'", 1),
  row('operator before )', '(x +)', "unexpected ')' after '+'", 4),

  // Numbers
  row('two decimal points', '1.2.3', "malformed number '1.2.3'", 0),
  row('double dot', '2..3', "malformed number '2..3'", 0),
  row('exponent without digits', '2e-x', "malformed number '2e-'", 0),
  row('hex prefix without digits', '0x', "malformed number '0x'", 0),
  row('overflowing literal', '1e999', 'number 1e999 is too large', 0),
  row('underflowing literal', 'x + 1e-999', 'number 1e-999 is too small', 4),
  row('number after a number', '2 3', "unexpected number '3'", 2),
  row('number after a power', 'x^2 3', "unexpected number '3'", 4),

  // Functions
  row('unknown function', 'foo(x)', "unknown function 'foo' at position 0; supported functions: abs, acos", 0),
  row('unknown function, near a known one', '2 * Sin(x)', "unknown function 'Sin' at position 4; did you mean 'sin'?", 4),
  row('pow is not a function here', 'pow(x, 2)', "unknown function 'pow' at position 0; write x^y", 0),
  row('variable called like a function', 'x(y + 1)', "unknown function 'x' at position 0; to multiply, write x*(…)", 0),
  row('constant called like a function', 'pi(2)', "'pi' is a constant, not a function", 0),
  row('no arguments', 'sin()', 'sin takes 1 argument, got 0', 0),
  row('log with no arguments', 'log()', 'log takes 1 or 2 arguments, got 0', 0),
  row('too many arguments', 'sin(x, y)', 'sin takes 1 argument, got 2', 0),
  row('log with three arguments', '1 + log(x, 2, 3)', 'log takes 1 or 2 arguments, got 3', 4),
  row('two-argument function given one', 'xlogy(x)', 'xlogy takes 2 arguments, got 1', 0),
  row('missing first argument', 'sin(,x)', "missing argument before ','", 4),
  row('missing last argument', 'log(x,)', "missing argument after ','", 5),
  row('comma outside a call', '(x, y)', "unexpected ','", 2),
  row('function without parentheses', 'sin x', "'sin' is a function at position 0; write sin(x)", 0),
  row('function applied to a product', 'sin 2x', 'write sin(2x) or sin(2*x)', 0),
  row('bare function name', 'sin', "'sin' is a function", 0),
  row('function name as an operand', 'x * sin', "'sin' is a function", 4),
  row('power of a function name', 'sin^2(x)', 'write sin(x)^2', 0),

  // Ambiguities refused on purpose
  row('implicit multiplication after / (numbers)', '1/2x', "ambiguous implicit multiplication after '/' at position 3; write 1/(2*x) or (1/2)*x", 3),
  row('implicit multiplication after / (names)', 'x/2y', "ambiguous implicit multiplication after '/'", 3),
  row('a line break between expressions', 'x\ny', 'unexpected line break', 1),

  // Unsupported constructs
  row('assignment', 'x = 2', 'assignments are not supported', 2),
  row('function definition', 'f(x) = x^2', 'assignments are not supported', 5),
  row('assignment inside an expression', 'x + (y = 2)', 'assignments are not supported', 7),
  row('equality', 'x == 2', "comparisons are not supported ('==')", 2),
  row('inequality', 'x != 2', "comparisons are not supported ('!=')", 2),
  row('less than', 'x < 1', "comparisons are not supported ('<')", 2),
  row('greater or equal', 'x >= 1', "comparisons are not supported ('>=')", 2),
  row('conditional', 'x > 0 ? x : 0', 'conditionals are not supported', 6),
  row('matrix', '[1, 2]', 'matrices are not supported', 0),
  row('indexing', 'x[1]', 'matrices are not supported', 1),
  row('unit conversion with to', '2 cm to inch', 'units are not supported', 5),
  row('unit conversion with in', '3 in', 'units are not supported', 2),
  row('double-quoted string', '"abc"', 'strings are not supported', 0),
  row('single quote (transpose)', "x'", 'strings are not supported', 1),
  row('factorial', 'x!', "factorial '!' is not supported", 1),
  row('percent or modulo', 'x % 2', 'percent and modulo are not supported', 2),
  row('mod keyword', 'x mod 2', 'modulo is not supported', 2),
  row('bitwise and', 'x & y', 'bitwise and logical operators are not supported', 2),
  row('bitwise or', 'x | y', 'bitwise and logical operators are not supported', 2),
  row('bitwise xor', 'x ^| y', "bitwise and logical operators are not supported ('^|')", 2),
  row('shift', 'x << 1', 'bitwise and logical operators are not supported', 2),
  row('logical and', 'x and y', 'logical operators are not supported', 2),
  row('logical not', 'not x', 'logical operators are not supported', 0),
  row('boolean literal', 'true + 1', 'booleans are not supported', 0),
  row('two statements', 'x; y', 'multiple statements are not supported', 1),
  row('property access', 'x.y', "property access '.' is not supported", 1),
  row('element-wise operator', 'x .* y', 'element-wise operators are not supported', 2),
  row('range', '1:3', 'ranges are not supported', 1),
  row('object', '{a: 1}', 'objects are not supported', 0),
  row('nullish coalescing', 'x ?? y', "nullish coalescing '??' is not supported", 2),
  row('comment', 'x # note', 'comments are not supported', 2),

  // Characters that are not part of the grammar
  row('dollar sign', 'x$', "unexpected character '$'", 1),
  row('at sign', 'x @ y', "unexpected character '@'", 2),
  row('backslash', '\\alpha', "unexpected character '\\'", 0),
  row('NUL character', 'x\u0000y', 'unexpected control character U+0000', 1),
  row('typeset minus sign', 'x \u2212 y', "unexpected character '\u2212' (U+2212) at position 2; write '-'", 2),
  row('typeset times sign', '2 \u00d7 x', "write '*'", 2),
  row('n-ary summation sign', '\u2211x', "unexpected character '\u2211' (U+2211)", 0),
  row('emoji', 'x + \u{1F600}', "unexpected character '\u{1F600}' (U+1F600)", 4),
  row('lone surrogate', 'x\ud800', 'unexpected lone surrogate U+D800', 1),
  row('accented letter', 'caf\u00e9', "unexpected character '\u00e9'", 3),
  row('em space', 'x\u2003+ y', 'unexpected space character U+2003', 1),
];
