// The report's sections, in the order they appear; build.ts runs each that applies to the suite.
import type { AnySection } from '../section.ts';
import { accuracySection } from './accuracy.ts';
import { agreementSection } from './agreement.ts';
import { controlFlow } from './control-flow.ts';
import { costSection } from './cost.ts';
import { functionsSection } from './functions.ts';
import { graphSection } from './graph.ts';
import { pitfallsSection } from './pitfalls.ts';
import { swellSection } from './swell.ts';
import { tallWide } from './tall-wide.ts';
import { higherOrder, traces } from './teaching.ts';
import { trainingSection } from './training.ts';

/** Every section, in report order. */
export const sections: readonly AnySection[] = [
  functionsSection,
  accuracySection,
  costSection,
  swellSection,
  agreementSection,
  pitfallsSection,
  graphSection,
  traces,
  higherOrder,
  tallWide,
  controlFlow,
  trainingSection,
];
