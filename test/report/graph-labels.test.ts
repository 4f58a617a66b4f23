// The computational-graph figure: no two edge labels overlap (checked on the SVG's label boxes), and constants are drawn consistently.
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/ir/parse.ts';
import { referenceTrace } from '../../src/harness/reference.ts';
import { graphDot, renderDot } from '../../src/report/graph.ts';

/** A text label's box in SVG units: Helvetica's average advance is under 0.62 em; the box spans the ascent and descent. */
interface Box {
  readonly text: string;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** The boxes of every edge's label in a Graphviz SVG (the `<text>` inside each `<g class="edge">`). */
export function edgeLabelBoxes(svg: string): Box[] {
  const boxes: Box[] = [];
  for (const group of svg.split('<g id="edge').slice(1)) {
    const body = group.slice(0, group.indexOf('</g>'));
    for (const m of body.matchAll(/<text[^>]*text-anchor="(\w+)"[^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)<\/text>/g)) {
      const [, anchor, xs, ys, sizes, raw] = m;
      // Graphviz writes some characters as entities (`&#45;` for a minus sign): count the character, not the entity's spelling.
      const text = raw.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))).replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
      const [x, y, size] = [Number(xs), Number(ys), Number(sizes)];
      const width = [...text].length * 0.62 * size;
      const x0 = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
      boxes.push({ text, x0, x1: x0 + width, y0: y - 0.8 * size, y1: y + 0.25 * size });
    }
  }
  return boxes;
}

/** Every pair of boxes that overlap. */
function overlaps(boxes: readonly Box[]): [string, string][] {
  const found: [string, string][] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) found.push([a.text, b.text]);
    }
  }
  return found;
}

async function drawn(text: string, variables: string[], point: number[], layout: 'wide' | 'column' | 'narrow' = 'wide') {
  const expr = parse(text);
  const trace = referenceTrace(expr, variables, Float64Array.from(point));
  const { dot, nodes } = graphDot(expr, trace, { layout });
  return { dot, nodes, svg: await renderDot(dot) };
}

describe('graph figure', () => {
  it('the overlap check sees overlapping boxes (it can fail)', () => {
    const svg = '<g id="edge1" class="edge"><text text-anchor="middle" x="10" y="10" font-family="H" font-size="10.00">∂ 2</text></g><g id="edge2" class="edge"><text text-anchor="middle" x="14" y="12" font-family="H" font-size="10.00">∂ 3</text></g>';
    expect(overlaps(edgeLabelBoxes(svg))).toEqual([['∂ 2', '∂ 3']]);
  });

  const drawings = [
    ['x^2 + y^3 + x*y', ['x', 'y'], [1, 2]],
    ['x*x*x + x*y + y*y', ['x', 'y'], [1.5, -2]],
    ['sin(x*y) + x*y + exp(x)*x', ['x', 'y'], [0.3, 0.7]],
    ['(x + y) * (x - y) * 2 + 3*x', ['x', 'y'], [2, 1]],
  ] as const;
  it.each((['wide', 'column', 'narrow'] as const).flatMap((layout) => drawings.map(([text, variables, point]) => [layout, text, variables, point] as const)))(
    'no two edge labels overlap in the %s drawing of %s',
    async (layout, text, variables, point) => {
      const { svg } = await drawn(text, [...variables], [...point], layout);
    const boxes = edgeLabelBoxes(svg);
      expect(boxes.length).toBeGreaterThan(2);
      expect(overlaps(boxes)).toEqual([]);
    },
  );

  it('the narrow drawing runs top to bottom in 12-pt text (16 CSS px) and keeps every node, its data and its gradient summed over uses', async () => {
    const wide = await drawn('x^2 + y^3 + x*y', ['x', 'y'], [1, 2]);
    const narrow = await drawn('x^2 + y^3 + x*y', ['x', 'y'], [1, 2], 'narrow');
    expect(narrow.dot).toMatch(/rankdir=TB/);
    const sizes = [...narrow.svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    // Graphviz writes the SVG in points: its natural size is in pt, so 12 pt text is 16 CSS px.
    expect(narrow.svg).toMatch(/^<svg width="[\d.]+pt"/);
    expect(narrow.nodes).toEqual(wide.nodes);
    const texts = [...narrow.svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const node of narrow.nodes) {
      // A label broken over lines ("v1" / "= x^2") is drawn as consecutive texts.
      expect(texts.join(' ')).toContain(node.label.replace(/ = /, ' = '));
    }
    // x is used twice (x^2 and x*y): its gradient 4 is drawn as the sum of the two uses.
    expect(texts).toContain('= 2 + 2');
    expect(texts.some((t) => /2 uses/.test(t))).toBe(true);
  });

  it('constants are drawn one way: "grad —" in their record, and a dashed edge with no partial (nothing flows back into them)', async () => {
    const { dot, nodes } = await drawn('3*x + x^2 + 2', ['x'], [1.5]);
    const constants = nodes.filter((n) => n.label.startsWith('const '));
    // The 2s (the exponent and the added constant) are one hash-consed node; 3 is another.
    expect(constants.map((n) => n.label).sort()).toEqual(['const 2', 'const 3']);
    for (const c of constants) {
      expect(dot).toMatch(new RegExp(`${c.name} \\[[^\\]]*grad — \\(a constant`));
      const edges = dot.split('\n').filter((l) => l.trimStart().startsWith(`${c.name} -> `));
      expect(edges.length).toBeGreaterThan(0);
      for (const e of edges) {
        expect(e).not.toMatch(/label=/);
        expect(e).toMatch(/style=dashed/);
      }
    }
    // Every other edge into an op carries its partial.
    const variableEdges = dot.split('\n').filter((l) => / -> op/.test(l) && !constants.some((c) => l.trimStart().startsWith(`${c.name} -> `)));
    expect(variableEdges.length).toBeGreaterThan(0);
    for (const e of variableEdges) expect(e).toMatch(/label="∂ /);
  });
});
