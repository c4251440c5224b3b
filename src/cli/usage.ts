/** The help text of `npm run cli`, whole and per command. */
import { DEFAULT_HEADER_PREFIX } from '../core/events';
import { STREAMS } from '../core/resources';

export const COMMAND_USAGE: Record<string, string> = {
  publish: `  publish <corrected|replenished|moved|sold|destroyed|returned|reversed>
          --warehouse W --product P --quantity N   (reversed: no quantity)
          [--location L]                 corrected, destroyed: required; replenished, sold, returned: optional
          [--from L --to L]              moved: required
          [--reason TEXT]                destroyed, reversed: required; returned: optional
          [--reverses ID]                reversed: required, the id of the event it undoes
          [--expected-seq N]             refuse unless the product's last event has sequence N (0 = none yet)
          [--id ID]                      event id (default: a new UUID; re-use one to test de-duplication)
      Publishes one stock event to ${STREAMS.warehouse} and prints its sequence.`,
  tail: `  tail    [--warehouse W] [--product P] [--from-seq N]
      Prints each event as it arrives: sequence, subject, all headers, payload and how readers decode it.
      Starts after the current last event unless --from-seq is given (1 = everything). Ctrl-C stops.`,
  raw: `  raw     --subject S [--header name=value ...] [--data TEXT]
      Publishes arbitrary bytes and headers (for testing how readers handle malformed events).`,
  provision: `  provision
      Creates the streams and KV buckets that are missing and reports differences from the expected
      configuration. The same as \`npm run provision\`.`,
};

const CONNECTION_USAGE = `Connection (every command):
  --server URL       ws:// or wss:// (WebSocket) or nats:// (TCP). Default: nats://127.0.0.1:4222 for the
                     users admin and services, ws://127.0.0.1:9222 for the others (they may only use WebSocket).
  --user NAME        default: alice (a demo manager) for publish and tail, admin for raw and provision
  --password TEXT    default: the user's demo password from nats-server.conf
  Environment: STOCKWIRE_NATS_URL, STOCKWIRE_USER, STOCKWIRE_PASSWORD (options win).
  STOCKWIRE_HEADER_PREFIX: prefix of the event headers publish writes and tail reads (default ${DEFAULT_HEADER_PREFIX}); the
                     same as every other program of the deployment and the dashboard's config.json.`;

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
${Object.values(COMMAND_USAGE).join('\n\n')}

${CONNECTION_USAGE}
`;

/** Short help after a mistake: the one command's lines, and where the rest is. */
export function commandUsage(command: string): string {
  const lines = COMMAND_USAGE[command];
  if (!lines) return USAGE;
  return `Usage: npm run cli -- ${command} [options]\n${lines}\n  (--server, --user, --password: see npm run cli -- --help)`;
}
