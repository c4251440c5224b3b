import { describe, expect, it } from 'vitest';
import { toLocalInput } from './local-time';

describe('toLocalInput', () => {
  it('writes seconds only when they are not zero, as the browser writes the value back', () => {
    const whole = new Date(2026, 10, 28, 19, 26, 0).getTime();
    expect(toLocalInput(whole)).toBe('2026-11-28T19:26');
    expect(toLocalInput(whole + 7_000)).toBe('2026-11-28T19:26:07');
  });
});
