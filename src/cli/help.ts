// Help and usage text laid out to the terminal's width: long lines wrap under their own column, not at column 0.
//
// The texts are written once, at whatever length reads well in the source; this lays each long line out when it is
// printed. A two-column row ("  --at x=2,y=3        the point") continues under its description, a usage line
// ("usage: gradlab diff …") under the command's first argument, any other line under its own indentation. Each
// line is scanned once (no regular expressions over the text: usage errors may quote what the user typed).

/** The narrowest layout: below this a hanging indent leaves too little room, so continuations indent by 4 instead. */
const narrowestText = 24;

const widthOf = (text: string): number => [...text].length;

function leadingSpaces(line: string): number {
  let lead = 0;
  while (lead < line.length && line[lead] === ' ') lead++;
  return lead;
}

/** The column a usage line ("usage: gradlab diff …", "       gradlab diff …") continues at, or -1 for another line. */
function usageIndent(line: string): number {
  const lead = leadingSpaces(line);
  const program = line.startsWith('usage: gradlab ') ? 'usage: gradlab '.length : lead > 0 && line.startsWith('gradlab ', lead) ? lead + 'gradlab '.length : -1;
  if (program < 0) return -1;
  const commandEnd = line.indexOf(' ', program);
  return commandEnd > 0 ? commandEnd + 1 : -1;
}

/** Where an indented two-column row's description starts (a term, two or more spaces, the description), or -1. */
function descriptionColumn(line: string): number {
  const lead = leadingSpaces(line);
  if (lead < 2) return -1;
  const gap = line.indexOf('  ', lead);
  if (gap <= lead) return -1;
  const description = leadingSpaces(line.slice(gap)) + gap;
  return description < line.length ? description : -1;
}

/** A usage line's words, an option in brackets ("[--ops a,b]") kept as one so a line never breaks inside it. */
function optionGroups(line: string): string[] {
  const words: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    const c = line[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if ((c === ' ' && depth === 0) || i === line.length) {
      words.push(line.slice(start, i));
      start = i + 1;
    }
  }
  return words;
}

/** A run of source lines printed as one unit, and the column its continuations start at. */
interface Block { readonly lines: string[]; readonly indent: number }

/**
 * The text's blocks: a paragraph of unindented prose, a two-column row with the lines continuing its description, a
 * usage line, an indented line with the lines continuing it at the same indentation, or an empty line.
 */
function blocksOf(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length;) {
    const line = lines[i];
    const lead = leadingSpaces(line);
    const usage = usageIndent(line);
    const column = usage >= 0 ? -1 : descriptionColumn(line);
    const indent = usage >= 0 ? usage : column >= 0 ? column : lead;
    const block: string[] = [line];
    i++;
    if (line.trim() !== '') {
      // Continuation lines: unindented prose after prose, or lines at the usage's, the description's (or the line's) indentation.
      while (i < lines.length && lines[i].trim() !== '' && usageIndent(lines[i]) < 0 && leadingSpaces(lines[i]) === indent && descriptionColumn(lines[i]) < 0) {
        block.push(lines[i]);
        i++;
      }
    }
    blocks.push({ lines: block, indent });
  }
  return blocks;
}

/** A block in `width` columns (code points): as written if every line fits, else its words re-wrapped under its indent. */
function layoutBlock({ lines, indent: hanging }: Block, width: number): string[] {
  if (lines.every((line) => widthOf(line) <= width)) return lines;
  const indent = width - hanging >= narrowestText ? hanging : Math.min(leadingSpaces(lines[0]) + 4, Math.max(0, width - narrowestText));
  const head = lines[0].slice(0, indent);
  const rest = [lines[0].slice(indent), ...lines.slice(1)];
  const words = (usageIndent(lines[0]) >= 0 ? rest.flatMap(optionGroups) : rest.flatMap((l) => l.split(' '))).filter((w) => w.length > 0);
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  let current = head;
  let currentWidth = widthOf(head);
  let empty = true;
  for (const word of words) {
    const w = widthOf(word);
    if (!empty && currentWidth + 1 + w > width) {
      out.push(current);
      current = pad + word;
      currentWidth = indent + w;
    } else {
      current += (empty ? '' : ' ') + word;
      currentWidth += (empty ? 0 : 1) + w;
    }
    empty = false;
  }
  out.push(current);
  return out;
}

/** `text` laid out in `width` columns: each block that does not fit is re-wrapped under its own column (see the file header). */
export function layoutHelp(text: string, width: number): string {
  return blocksOf(text).flatMap((block) => layoutBlock(block, width)).join('\n');
}
