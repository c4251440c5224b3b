/** Dispatching a command line to a command; maps failures to exit codes (2 usage, 1 NATS/other). */
import { describeNatsError } from '../nats/errors';
import { UsageError } from '../command-line/args';
import type { CommandIo } from './io';
import { provisionCommand } from './provision-command';
import { publishCommand } from './publish-command';
import { rawCommand } from './raw-command';
import { tailCommand } from './tail-command';
import { USAGE, commandUsage } from './usage';

const COMMANDS: Record<string, (argv: readonly string[], io: CommandIo) => Promise<number>> = {
  publish: publishCommand,
  tail: tailCommand,
  raw: rawCommand,
  provision: provisionCommand,
};

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    io.err(`error: unknown command "${command}"; use one of ${Object.keys(COMMANDS).join(', ')}\n`);
    io.err(USAGE);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  try {
    return await handler(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}\n`);
      io.err(commandUsage(command));
      return 2;
    }
    io.err(`error: ${describeNatsError(err)}`);
    return 1;
  }
}
