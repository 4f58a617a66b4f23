// A one-line progress bar for terminals: redrawn in place, silent when the output is not a TTY.

/** Draws `[#####.....]  45%  label` on one line, at most every 100 ms. */
export class ProgressBar {
  private last = 0;
  private shown = false;

  constructor(private readonly write: (text: string) => void, private readonly enabled: boolean, private readonly width = 28) {}

  /** Redraws the bar at `fraction` (0..1) with a label. */
  update(fraction: number, label: string): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * this.width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}`;
    this.write(`\r\x1b[K[${bar}] ${String(Math.round(fraction * 100)).padStart(3)}%  ${label.slice(0, 60)}`);
    this.shown = true;
  }

  /** Clears the line. */
  done(): void {
    if (this.enabled && this.shown) this.write('\r\x1b[K');
  }
}
