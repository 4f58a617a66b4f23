// Prose wrapped at word boundaries to a width in code points: no dependency, so any command can load it cheaply.

/**
 * Prose for a terminal: each paragraph of `text` broken at spaces into lines of at most `width` code points, lines
 * after a paragraph's first indented by `indent` (counted in the width). A word longer than a line (a long number
 * or expression) keeps a line of its own, unsplit. Linear in the text.
 */
export function wrapProse(text: string, width: number, indent = ''): string {
  const indentWidth = [...indent].length;
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    let started = false;
    for (const word of paragraph.split(' ')) {
      const wordWidth = [...word].length;
      if (!started) {
        line = word;
        lineWidth = wordWidth;
        started = true;
      } else if (lineWidth + 1 + wordWidth > width) {
        out.push(line);
        line = indent + word;
        lineWidth = indentWidth + wordWidth;
      } else {
        line += ` ${word}`;
        lineWidth += 1 + wordWidth;
      }
    }
    out.push(line);
  }
  return out.join('\n');
}
