// Formulas for the HTML report: LaTeX typeset by KaTeX at build time as MathML, so the page stays offline and needs no fonts or scripts.

/** LaTeX → a MathML `<math>` element (KaTeX, imported on first use so only the report pays for it). */
export async function renderLatex(latex: string): Promise<string> {
  const katex = (await import('katex')).default;
  return katex.renderToString(latex, { output: 'mathml', displayMode: true, throwOnError: false });
}
