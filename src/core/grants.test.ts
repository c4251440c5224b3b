import { describe, expect, it } from 'vitest';
import { describeScope, grantsOf, inScope, parseUserInfo } from './grants';

/** The shape nats-server 2.15 answers `$SYS.REQ.USER.INFO` with. */
function reply(account: string, allow: string[]) {
  return {
    server: { name: 'n1', ver: '2.15.3' },
    data: {
      user: 'x',
      account,
      permissions: { publish: { allow, deny: ['JS.STOCK.API.CONSUMER.CREATE.*.projector'] } },
    },
  };
}

describe('grants, as the server states them', () => {
  it('a manager of every warehouse', () => {
    const info = parseUserInfo(reply('MANAGERS', ['JS.STOCK.API.STREAM.INFO.*', 'warehouse.*.product.*']))!;
    expect(grantsOf(info)).toEqual({ role: 'manager', stockEvents: 'all', thresholds: [] });
  });

  it('a manager of two warehouses may act on those only', () => {
    const info = parseUserInfo(reply('MANAGERS', ['warehouse.46.product.*', 'warehouse.52.product.*']))!;
    const grants = grantsOf(info);
    expect(grants.stockEvents).toEqual(['46', '52']);
    expect(inScope(grants.stockEvents, '46')).toBe(true);
    expect(inScope(grants.stockEvents, '47')).toBe(false);
    expect(describeScope(grants.stockEvents)).toBe('warehouses 46, 52');
  });

  it('procurement: every threshold, or one warehouse', () => {
    const all = grantsOf(parseUserInfo(reply('PROCUREMENT', ['JS.STOCK.API.$KV.stock_thresholds.>']))!);
    expect(all).toEqual({ role: 'procurement', stockEvents: [], thresholds: 'all' });
    const one = grantsOf(parseUserInfo(reply('PROCUREMENT', ['JS.STOCK.API.$KV.stock_thresholds.46.*']))!);
    expect(one.thresholds).toEqual(['46']);
  });

  it('the role is the account, not the user name; an unknown account is a viewer with no writes', () => {
    expect(grantsOf(parseUserInfo(reply('DISPLAYS', []))!).role).toBe('display');
    expect(grantsOf(parseUserInfo(reply('MARKETING', []))!).role).toBe('marketing');
    expect(grantsOf(parseUserInfo(reply('SOMETHING_ELSE', ['warehouse.*.product.*']))!).role).toBe('viewer');
  });

  it('refuses what is not a user-info reply', () => {
    expect(parseUserInfo(null)).toBeUndefined();
    expect(parseUserInfo({ error: { code: 503 } })).toBeUndefined();
    expect(parseUserInfo({ data: { account: 7 } })).toBeUndefined();
  });
});
