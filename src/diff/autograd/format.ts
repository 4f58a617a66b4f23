// Printing exactly as PyTorch 1.13 prints (torch/_tensor_str.py), and Python's float formats it relies on.
//
// Python rounds `{:.4f}` / `{:.4e}` half-to-even on the exact binary value; JavaScript's toFixed/toExponential
// round ties away from zero. Ties are real (0.03125 → '0.0312' in Python), so numbers are formatted here from
// their exact decimal expansion, computed with BigInt.
import { numelOf, stridesOf } from './shape.ts';

/** PyTorch's default print options (`torch.set_printoptions`). */
const PRINT = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 } as const;

const bits = new DataView(new ArrayBuffer(8));

/** |x| = n / 10^scale exactly, for a finite double x. */
function exactDecimal(x: number): { n: bigint; scale: number } {
  bits.setFloat64(0, Math.abs(x));
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (biased === 0) exp2 = -1074;
  else {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  if (exp2 >= 0) return { n: mantissa << BigInt(exp2), scale: 0 };
  return { n: mantissa * 5n ** BigInt(-exp2), scale: -exp2 };
}

/** n / 10^k rounded half to even (k ≥ 0). */
function divRoundHalfEven(n: bigint, k: number): bigint {
  if (k <= 0) return n * 10n ** BigInt(-k);
  const d = 10n ** BigInt(k);
  let q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) q += 1n;
  return q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** Python's `'{:.Nf}'.format(x)`. */
export function pyFixed(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { n, scale } = exactDecimal(x);
  const q = divRoundHalfEven(n, scale - digits).toString();
  if (digits === 0) return signOf(x) + q;
  const padded = q.padStart(digits + 1, '0');
  return `${signOf(x)}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** Python's `'{:.Ne}'.format(x)`: `1.0000e-04`, `1.0995e+12` (at least two exponent digits). */
export function pyExponential(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const sign = signOf(x);
  if (x === 0) return `${sign}${digits > 0 ? '0.' + '0'.repeat(digits) : '0'}e+00`;
  const { n, scale } = exactDecimal(x);
  let exponent = n.toString().length - 1 - scale;
  let q = divRoundHalfEven(n, scale + exponent - digits);
  if (q >= 10n ** BigInt(digits + 1)) {
    q /= 10n;
    exponent += 1;
  }
  const s = q.toString();
  const mantissa = digits > 0 ? `${s[0]}.${s.slice(1)}` : s;
  const e = Math.abs(exponent).toString().padStart(2, '0');
  return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e}`;
}

/** Python's `repr(float)` (also what an f-string shows): shortest round-trip digits, `2.0`, `1e-05`, `1e+16`. */
export function pyFloatRepr(x: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const exponent = Number(expText);
  const digits = mant.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const frac = digits.slice(exponent + 1);
    return `${sign}${intPart}.${frac.length > 0 ? frac : '0'}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent).toString().padStart(2, '0')}`;
}

/** PyTorch's `_Formatter` for floating tensors: one number format and width for the whole tensor. */
class Formatter {
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  /** Index (int64) and mask (bool) tensors print their values as PyTorch prints those dtypes. */
  dtype: 'int64' | 'bool' | null = null;

  constructor(values: ArrayLike<number>, dtype: 'int64' | 'bool' | null = null) {
    if (dtype !== null) {
      this.dtype = dtype;
      for (let i = 0; i < values.length; i++) this.maxWidth = Math.max(this.maxWidth, this.text(values[i]).length);
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && v !== 0) finite.push(v);
    }
    if (finite.length === 0) return;
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    const p = PRINT.precision;
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, pyExponential(v, p).length);
      } else {
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, pyFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, pyExponential(v, p).length);
    } else {
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, pyFixed(v, p).length);
    }
  }

  private text(value: number): string {
    return this.dtype === 'bool' ? (value !== 0 ? 'True' : 'False') : String(value);
  }

  format(value: number): string {
    if (this.dtype !== null) return this.text(value).padStart(this.maxWidth, ' ');
    let text: string;
    if (this.sciMode) text = pyExponential(value, PRINT.precision);
    else if (this.intMode) {
      text = pyFixed(value, 0);
      if (Number.isFinite(value)) text += '.';
    } else text = pyFixed(value, PRINT.precision);
    return text.padStart(this.maxWidth, ' ');
  }
}

/** Indices kept along a dimension of `size` when summarizing (first and last `edgeitems`), or all of them. */
function keptIndices(size: number, summarize: boolean): number[] {
  const e = PRINT.edgeitems;
  if (summarize && size > 2 * e) return [0, 1, 2, size - 3, size - 2, size - 1].slice(0, 2 * e);
  return Array.from({ length: size }, (_, i) => i);
}

/** The values the formatter looks at: all of them, or only the printed edges of a summarized tensor. */
function summarizedValues(data: Float64Array, shape: readonly number[], summarize: boolean): ArrayLike<number> {
  if (!summarize || shape.length === 0) return data;
  const kept = shape.map((size) => keptIndices(size, true));
  const strides = stridesOf(shape);
  const out: number[] = [];
  const counter = new Array<number>(shape.length).fill(0);
  for (;;) {
    let offset = 0;
    for (let d = 0; d < shape.length; d++) offset += kept[d][counter[d]] * strides[d];
    out.push(data[offset]);
    let d = shape.length - 1;
    while (d >= 0 && ++counter[d] === kept[d].length) counter[d--] = 0;
    if (d < 0) return out;
  }
}

function vectorString(data: Float64Array, offset: number, size: number, indent: number, summarize: boolean, f: Formatter): string {
  const elementLength = f.maxWidth + 2;
  const perLine = Math.max(1, Math.floor((PRINT.linewidth - indent) / elementLength));
  const e = PRINT.edgeitems;
  let items: string[];
  if (summarize && size > 2 * e) {
    items = [];
    for (let i = 0; i < e; i++) items.push(f.format(data[offset + i]));
    items.push(' ...');
    for (let i = size - e; i < size; i++) items.push(f.format(data[offset + i]));
  } else {
    items = new Array<string>(size);
    for (let i = 0; i < size; i++) items[i] = f.format(data[offset + i]);
  }
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

/**
 * The nested-bracket body of an n-d tensor (n ≥ 2), as PyTorch's recursive `_tensor_str_with_formatter` prints it,
 * written as a loop over an explicit position per dimension, so a tensor of thousands of dimensions prints without
 * deep recursion. Slices of dimension d are separated by ',' and (n−1−d) newlines, indented to depth d.
 */
function tensorString(data: Float64Array, shape: readonly number[], indent: number, summarize: boolean, f: Formatter): string {
  const nd = shape.length;
  const strides = stridesOf(shape);
  const e = PRINT.edgeitems;
  // For each outer dimension, the slices printed, with -1 standing for the '...' row of a summarized dimension.
  const kept = shape.slice(0, nd - 1).map((size) => {
    if (!(summarize && size > 2 * e)) return Array.from({ length: size }, (_, i) => i);
    return [...Array.from({ length: e }, (_, i) => i), -1, ...Array.from({ length: e }, (_, i) => size - e + i)];
  });
  const pos = new Array<number>(nd - 1).fill(0);
  const base = new Array<number>(nd - 1).fill(0);
  const out: string[] = ['['];
  let d = 0;
  for (;;) {
    const entry = kept[d][pos[d]];
    if (entry === -1) out.push('...');
    else if (d === nd - 2) out.push(vectorString(data, base[d] + entry * strides[d], shape[nd - 1], indent + nd - 1, summarize, f));
    else {
      base[d + 1] = base[d] + entry * strides[d];
      d++;
      pos[d] = 0;
      out.push('[');
      continue;
    }
    // The slice at depth d is done: move to the next one, closing the brackets of finished dimensions.
    for (;;) {
      pos[d]++;
      if (pos[d] < kept[d].length) {
        out.push(',' + '\n'.repeat(nd - 1 - d) + ' '.repeat(indent + 1 + d));
        break;
      }
      out.push(']');
      if (d === 0) return out.join('');
      d--;
    }
  }
}

/**
 * `repr(tensor)` as PyTorch 1.13 prints it: `tensor(11., grad_fn=<AddBackward0>)`, 2-d rows aligned under the
 * first, `...` past 1000 elements. `suffixes` are the trailing items (`dtype=…`, `grad_fn=<…>`, `requires_grad=True`).
 */
export function tensorRepr(
  data: Float64Array, shape: readonly number[], suffixes: readonly string[], dtype: 'int64' | 'bool' | null = null,
): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const all = [...suffixes];
  let body: string;
  const numel = numelOf(shape);
  if (numel === 0) {
    if (shape.length !== 1) all.unshift(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
    body = '[]';
  } else {
    const summarize = numel > PRINT.threshold;
    const f = new Formatter(summarizedValues(data, shape, summarize), dtype);
    body =
      shape.length === 0 ? f.format(data[0])
      : shape.length === 1 ? vectorString(data, 0, shape[0], indent, summarize, f)
      : tensorString(data, shape, indent, summarize, f);
  }
  // _add_suffixes: a suffix moves to its own line when the last line would pass the line width.
  let text = prefix + body;
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of all) {
    if (lastLineLength + suffix.length + 2 > PRINT.linewidth) {
      text += ',\n' + ' '.repeat(indent) + suffix;
      lastLineLength = indent + suffix.length;
    } else {
      text += ', ' + suffix;
      lastLineLength += suffix.length + 2;
    }
  }
  return text + ')';
}
