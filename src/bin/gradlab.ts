#!/usr/bin/env node
// The installed `gradlab` command (package.json `bin`, built to dist/bin/gradlab.js): runs the CLI on this process's arguments and streams.
import { main } from '../cli.ts';

/**
 * A closed pipe (`gradlab parse x | head -c1`) ends the command quietly, as a Unix filter does; any other write
 * error (a full disk) is one line on stderr and exit code 1, never an unhandled 'error' event with a stack.
 */
function onOutputError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  try {
    process.stderr.write(`gradlab: cannot write the output: ${error.message}\n`);
  } catch {
    // stderr is gone as well: nothing left to tell.
  }
  process.exit(1);
}
process.stdout.on('error', onOutputError);
process.stderr.on('error', onOutputError);

process.exitCode = await main(process.argv.slice(2));
