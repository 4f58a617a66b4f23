// Progress on stderr: a one-line bar redrawn in place on a terminal, a plain line per phase when output goes to a pipe or a CI log.

/** How progress shows: `bar` on a terminal, `lines` for pipes and logs (so they show life), `off` for none. */
export type ProgressMode = 'bar' | 'lines' | 'off';

/**
 * Draws `[#####.....]  45%  label` on one line, at most every 100 ms (mode `bar`); or writes `gradlab: label (45%)`
 * as a line of its own whenever the phase (the label's first word) changes (mode `lines`).
 */
export class ProgressBar {
  private last = 0;
  private shown = false;
  private phase: string | undefined;
  private readonly mode: ProgressMode;

  /**
   * `enabled` true means `bar`, false `off` (the historical form); or give the mode. `columns`: the terminal's width;
   * the bar's line stays narrower, since a line that wraps cannot be redrawn in place.
   */
  constructor(
    private readonly write: (text: string) => void,
    enabled: boolean | ProgressMode,
    private readonly width = 28,
    private readonly columns = 80,
  ) {
    this.mode = enabled === true ? 'bar' : enabled === false ? 'off' : enabled;
  }

  /** Redraws the bar at `fraction` (0..1) with a label; in line mode, writes a line when a new phase starts. */
  update(fraction: number, label: string): void {
    const percent = String(Math.round(Math.max(0, Math.min(1, fraction)) * 100)).padStart(3);
    if (this.mode === 'lines') {
      const phase = label.split(/\s/, 1)[0];
      if (phase !== this.phase) this.line(`${label} (${percent.trim()}%)`);
      this.phase = phase;
      return;
    }
    if (this.mode !== 'bar') return;
    const now = performance.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * this.width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}`;
    // "[" bar "] " percent "%  " label, one column short of the terminal (a full line would wrap at its end on some terminals)
    const room = Math.max(0, Math.min(60, this.columns - 1 - (this.width + 2 + 1 + percent.length + 3)));
    this.write(`\r\x1b[K[${bar}] ${percent}%  ${[...label].slice(0, room).join('')}`);
    this.shown = true;
  }

  /** A line of its own in line mode (a milestone such as "300 of 1000 expressions"); nothing otherwise. */
  line(text: string): void {
    if (this.mode === 'lines') this.write(`gradlab: ${text}\n`);
  }

  /** Clears the bar's line. */
  done(): void {
    if (this.mode === 'bar' && this.shown) this.write('\r\x1b[K');
  }
}
