import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The real-world reports kept in the repository (a copy of ../shared/realworld/reports) and their MANIFEST times. */
export const REALWORLD_DIR = join(__dirname, '../../../../test/fixtures/reports/realworld');

export interface RealworldReport {
  file: string;
  now: Date;
  text: string;
}

export function realworldReports(): RealworldReport[] {
  const manifest = readFileSync(join(REALWORLD_DIR, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  return manifest.map((line) => {
    const [file, now] = line.split('\t') as [string, string];
    return { file, now: new Date(now), text: readFileSync(join(REALWORLD_DIR, file), 'utf8') };
  });
}
