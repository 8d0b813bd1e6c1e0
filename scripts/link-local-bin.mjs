// `npx herald` in a checkout looks for node_modules/.bin/herald; npm links the bins of
// dependencies there, never the project's own. Without this link npx would install a copy of
// the project into its cache (a full build) and keep running that stale copy afterwards.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const binDir = join(import.meta.dirname, '..', 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'herald');
rmSync(link, { force: true });
symlinkSync(join('..', '..', 'bin', 'herald.js'), link);
