import { TEST_HEADER_NAMES } from '../core/testing';
import { headers as natsHeaders, type MsgHdrsImpl } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { encodeStockEvent } from '../core/codec';
import { HeaderBlock, PublishRefused } from './pipelined-publish';

describe('HeaderBlock', () => {
  it('given an encoded event, then it sends exactly the bytes nats.js would', () => {
    const { headers } = encodeStockEvent(
      '46',
      { type: 'stock.sold', product_name: 'Apples_Gala_0001', location: 'A01-03', quantity: 2 },
      {
        id: '0a1b2c3d-0000-8000-8000-000000000001',
        timestampMs: 1_764_351_000_000,
        names: TEST_HEADER_NAMES,
        user: 'admin',
      },
    );
    // What nc.publish does with nats.js's own headers: it asks for their encoding.
    const theirs = natsHeaders() as MsgHdrsImpl;
    for (const [name, value] of Object.entries(headers)) theirs.append(name, value);
    expect(new HeaderBlock(headers).encode()).toEqual(theirs.encode());
    expect(new HeaderBlock(headers).toString()).toBe(theirs.toString());
  });

  it('given a line break in a value or a colon in a name, then it refuses to build the block', () => {
    expect(() => new HeaderBlock({ myorg_type: 'stock.sold\r\nX: 1' })).toThrow(PublishRefused);
    expect(() => new HeaderBlock({ 'a:b': 'c' })).toThrow(PublishRefused);
  });
});
