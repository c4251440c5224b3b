/** Subject tokens no other test uses, so tests share one server without seeing each other's events. */
import { randomBytes } from 'node:crypto';

export function uniqueToken(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}
