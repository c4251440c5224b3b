/** Entry of `npm run provision` (= `npm run cli -- provision`). */
import { exitWith, processIo } from './process-io';
import { run } from './run';

void exitWith(run(['provision', ...process.argv.slice(2)], processIo()));
