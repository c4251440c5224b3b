/**
 * The event header prefix of a Node program (the workers, the demo, the command line), read here and nowhere
 * else. Every publisher and reader of one deployment must agree with the dashboard's config.json
 * `headerPrefix` (docs/architecture.md#subjects-and-headers).
 */
import { DEFAULT_HEADER_PREFIX, headerNames, parseHeaderPrefix, type HeaderNames } from '../core/events';
import { UsageError } from './args';

const HEADER_PREFIX_ENV = 'STOCKWIRE_HEADER_PREFIX';

export interface HeaderSetting {
  prefix: string;
  names: HeaderNames;
}

/** The prefix of STOCKWIRE_HEADER_PREFIX (default `myorg`); a bad one is a usage error, exit 2. */
export function headerSetting(env: NodeJS.ProcessEnv): HeaderSetting {
  const parsed = parseHeaderPrefix(env[HEADER_PREFIX_ENV], HEADER_PREFIX_ENV);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return { prefix: parsed.prefix, names: headerNames(parsed.prefix) };
}

export const HEADER_PREFIX_USAGE = `  env ${HEADER_PREFIX_ENV}=P  prefix of the event headers (P_type, P_msg_id, …; default ${DEFAULT_HEADER_PREFIX}): the same for every
                       program of a deployment and the dashboard's config.json "headerPrefix"`;
