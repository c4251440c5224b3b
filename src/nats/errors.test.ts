import { JetStreamApiError } from '@nats-io/jetstream';
import { errors as coreErrors } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { classifyNatsError, describeNatsError } from './errors';

// As nats-server answers a publish that a stream's limits refuse.
const tooLarge = () =>
  new JetStreamApiError({ code: 400, err_code: 10054, description: 'message size exceeds maximum allowed' });
const full = () =>
  new JetStreamApiError({ code: 503, err_code: 10077, description: 'maximum bytes exceeded' });

describe('limit refusals', () => {
  it('names the limit of the stream or bucket the subject belongs to', () => {
    expect(describeNatsError(tooLarge(), { subject: 'warehouse.46.product.Apples' })).toBe(
      'The server refused the event: it is larger than the 16 KiB an event may have.',
    );
    expect(describeNatsError(tooLarge(), { subject: 'procurement.46.product.Apples' })).toBe(
      'The server refused the event: it is larger than the 4 KiB stream PROCUREMENT_EVENTS accepts for one event, headers included.',
    );
    expect(describeNatsError(tooLarge(), { subject: '$KV.stock_levels.46.Apples' })).toBe(
      'The server refused the value: it is larger than the 1 KiB a value of bucket stock_levels may have.',
    );
    // A person's KV write goes through the dashboard account's import prefix.
    expect(describeNatsError(tooLarge(), { subject: 'JS.STOCK.API.$KV.worker_status.projector' })).toBe(
      'The server refused the value: it is larger than the 4 KiB a value of bucket worker_status may have.',
    );
  });

  it('says that a full stream dropped nothing and who must act', () => {
    expect(describeNatsError(full(), { subject: 'warehouse.46.product.Apples' })).toBe(
      'The server refused the event: stream WAREHOUSE_EVENTS is full (its max_bytes limit); nothing was ' +
        'dropped — an operator must raise the limit.',
    );
    expect(describeNatsError(full(), { subject: '$KV.stock_levels.46.Apples' })).toBe(
      'The server refused the value: bucket stock_levels is full (its max_bytes limit); nothing was ' +
        'dropped — an operator must raise the limit.',
    );
    expect(describeNatsError(full(), { subject: 'elsewhere.x' })).toBe(
      'The server refused the event: the stream is full (its max_bytes limit); nothing was dropped — an ' +
        'operator must raise the limit.',
    );
  });

  it('still explains the limit when the caller does not say what was written', () => {
    expect(classifyNatsError(tooLarge())).toEqual({
      kind: 'other',
      message:
        'The server refused the message: it is larger than what its stream accepts for one message (max_msg_size).',
    });
    expect(describeNatsError(full())).toContain(
      'the stream is full (its max_bytes limit); nothing was dropped',
    );
  });

  it('explains a stream or bucket the server has no room to reserve', () => {
    const err = new JetStreamApiError({
      code: 500,
      err_code: 10047,
      description: 'insufficient storage resources available',
    });
    expect(describeNatsError(err)).toMatch(
      /^The server cannot set aside the storage asked for \(max_bytes\)/,
    );
  });

  it("explains a message over the server's max_payload, which the client refuses before sending", () => {
    expect(
      describeNatsError(coreErrors.InvalidArgumentError.format('payload', 'max_payload size exceeded')),
    ).toBe('The message was not sent: it is larger than the server accepts for any message (max_payload).');
  });

  it('leaves other server refusals as they were', () => {
    const err = new JetStreamApiError({ code: 400, err_code: 10999, description: 'something else' });
    expect(describeNatsError(err, { subject: 'warehouse.46.product.Apples' })).toBe(
      'The server refused the request: something else.',
    );
  });
});
