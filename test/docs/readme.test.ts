// The README's examples run and print exactly what the README shows.
import { runDocs } from '../helpers/docs.ts';

runDocs('README.md');
