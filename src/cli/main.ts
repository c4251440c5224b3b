/** Entry of `npm run cli -- <command> …`. */
import { exitWith, processIo } from './process-io';
import { run } from './run';

void exitWith(run(process.argv.slice(2), processIo()));
