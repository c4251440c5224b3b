/** `npm run cli` and `npm run provision`, run as child processes against the shared server. */
import { describe, expect, inject, test } from 'vitest';
import { runCli, startCli } from '../support/cli';
import { uniqueToken } from '../support/unique';

const { clientUrl, wsUrl } = inject('nats');
const NO_STACK = /^\s+at /m;

describe('bad arguments', () => {
  test('no command prints the usage and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: npm run cli -- <command> [options]');
  });

  test.each<[string, string[], string]>([
    ['an unknown command', ['frobnicate'], 'unknown command "frobnicate"'],
    ['a missing event type', ['publish'], 'publish needs an event type'],
    ['an unknown event type', ['publish', 'stolen'], 'unknown event type "stolen"'],
    [
      'a missing product',
      ['publish', 'sold', '--warehouse', '46', '--quantity', '1'],
      '--product is required',
    ],
    [
      'a missing quantity',
      ['publish', 'sold', '--warehouse', '46', '--product', 'Apples'],
      '--quantity is required',
    ],
    [
      'a quantity that is not a number',
      ['publish', 'sold', '--warehouse', '46', '--product', 'Apples', '--quantity', 'three'],
      '--quantity must be a whole number of at least 1, got "three"',
    ],
    [
      'a move without a destination',
      ['publish', 'moved', '--warehouse', '46', '--product', 'Apples', '--quantity', '1', '--from', 'A1'],
      '--to is required for a moved event',
    ],
    [
      'a warehouse name with a space',
      ['publish', 'sold', '--warehouse', '4 6', '--product', 'Apples', '--quantity', '1', '--server', wsUrl],
      'warehouse "4 6" contains space',
    ],
    [
      'an unknown option',
      ['tail', '--form-seq', '3'],
      'unknown option --form-seq (did you mean --from-seq?)',
    ],
    ['an option without its value', ['tail', '--from-seq'], 'option --from-seq needs a value'],
    ['a sequence of zero', ['tail', '--from-seq', '0'], '--from-seq must be a whole number of at least 1'],
    [
      'a server URL of the wrong kind',
      ['provision', '--server', 'http://127.0.0.1:4222'],
      '--server "http://127.0.0.1:4222" must start with ws://, wss:// or nats://',
    ],
    [
      'a raw header without a value',
      ['raw', '--subject', 'warehouse.1.product.x', '--header', 'oops'],
      '--header "oops" must be name=value',
    ],
  ])('%s: names the problem, exit 2, no stack trace', async (_what, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${message}`);
    expect(r.stderr).toContain('Usage: npm run cli --');
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('against the server', () => {
  test('provision reports every resource unchanged (npm run cli and npm run provision)', async () => {
    for (const entry of ['main', 'provision'] as const) {
      const r = await runCli(
        entry === 'main' ? ['provision', '--server', clientUrl] : ['--server', clientUrl],
        {},
        { entry },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('unchanged WAREHOUSE_EVENTS');
      expect(r.stdout).toContain('unchanged KV stock_thresholds/default');
    }
  });

  test('a location named in words (any script, spaces, slashes) is stored and read back as a stock event', async () => {
    const product = uniqueToken('Cheese');
    const published = await runCli(
      [
        'publish',
        'replenished',
        '--warehouse',
        '46',
        '--product',
        product,
        '--quantity',
        '4',
        '--location',
        'Kühlraum ❄ / Regal 2',
      ],
      { STOCKWIRE_NATS_URL: wsUrl },
    );
    expect(published.code, published.stderr).toBe(0);
    const tail = startCli([
      'tail',
      '--server',
      wsUrl,
      '--warehouse',
      '46',
      '--product',
      product,
      '--from-seq',
      '1',
    ]);
    try {
      const out = await tail.waitForStdout(/=> stock\.replenished/);
      expect(out).toContain(`{"product_name":"${product}","location":"Kühlraum ❄ / Regal 2","quantity":4}`);
      expect(out).not.toContain('malformed');
    } finally {
      await tail.stop();
    }
  });

  test('publish and raw events show up in tail with sequence, subject, all headers and payload', async () => {
    const product = uniqueToken('Apples');
    const id = crypto.randomUUID();
    const published = await runCli(
      [
        'publish',
        'moved',
        '--warehouse',
        '46',
        '--product',
        product,
        '--quantity',
        '3',
        '--from',
        'A1',
        '--to',
        'B2',
        '--id',
        id,
      ],
      { STOCKWIRE_NATS_URL: wsUrl },
    );
    expect(published.code, published.stderr).toBe(0);
    const seq = Number(/as sequence (\d+) in WAREHOUSE_EVENTS/.exec(published.stdout)?.[1]);
    expect(seq).toBeGreaterThan(0);

    const again = await runCli(
      [
        'publish',
        'moved',
        '--warehouse',
        '46',
        '--product',
        product,
        '--quantity',
        '3',
        '--from',
        'A1',
        '--to',
        'B2',
        '--id',
        id,
      ],
      { STOCKWIRE_NATS_URL: wsUrl },
    );
    expect(again.stdout).toContain(`already stored: stock.moved id ${id} is sequence ${seq}`);

    const raw = await runCli([
      'raw',
      '--server',
      clientUrl,
      '--subject',
      `warehouse.46.product.${product}`,
      '--header',
      'myorg_type=stock.sold',
      '--header',
      'myorg_format=application/json',
      '--data',
      '{"product_name":',
    ]);
    expect(raw.code, raw.stderr).toBe(0);

    const tail = startCli([
      'tail',
      '--server',
      wsUrl,
      '--warehouse',
      '46',
      '--product',
      product,
      '--from-seq',
      String(seq),
    ]);
    try {
      const out = await tail.waitForStdout(/=> malformed/);
      expect(out).toContain(`#${seq} warehouse.46.product.${product}`);
      expect(out).toContain('  myorg_format: application/json\n  myorg_type: stock.moved\n');
      expect(out).toContain(`  myorg_msg_id: ${id}\n`);
      expect(out).toMatch(/ {2}myorg_timestamp_ms: \d{13}\n/);
      // The CLI's default user is the demo's manager of every warehouse; the event says it recorded it.
      expect(out).toContain('  myorg_user: alice\n');
      expect(out).toContain(`  Nats-Msg-Id: ${id}\n`);
      expect(out).toContain(
        `  {"product_name":"${product}","from":"A1","to":"B2","quantity":3}\n  => stock.moved`,
      );
      expect(out).toContain('  {"product_name":\n  => malformed (bad_json)');
      await tail.waitForStderr(/caught up/);

      const live = await runCli([
        'publish',
        'sold',
        '--warehouse',
        '46',
        '--product',
        product,
        '--quantity',
        '1',
        '--server',
        wsUrl,
      ]);
      expect(live.code, live.stderr).toBe(0);
      const liveSeq = /as sequence (\d+)/.exec(live.stdout)?.[1];
      await tail.waitForStdout(new RegExp(`#${liveSeq} warehouse\\.46\\.product\\.`));
    } finally {
      const stopped = await tail.stop();
      expect(stopped.code).toBe(0);
    }
  });

  test('a refused publish is one sentence and exit 1', async () => {
    const r = await runCli(
      ['publish', 'sold', '--warehouse', '46', '--product', 'Apples', '--quantity', '1', '--server', wsUrl],
      { STOCKWIRE_USER: 'wall-46' },
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'publish refused (permission): Permission denied: this user may not publish to warehouse.46.product.Apples.',
    );
  });

  test('a wrong password is one sentence and exit 1', async () => {
    const r = await runCli(['provision', '--server', clientUrl, '--password', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: The server refused the sign-in/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('the header prefix (STOCKWIRE_HEADER_PREFIX)', () => {
  test('publish writes and tail reads the configured prefix; a reader left at the default finds no event headers', async () => {
    const product = uniqueToken('Quinces');
    const acme = { STOCKWIRE_NATS_URL: wsUrl, STOCKWIRE_HEADER_PREFIX: 'acme' };
    const args = ['--warehouse', '46', '--product', product];
    const published = await runCli(['publish', 'sold', ...args, '--quantity', '2'], acme);
    expect(published.code, published.stderr).toBe(0);
    const seq = Number(/as sequence (\d+)/.exec(published.stdout)?.[1]);

    const tail = startCli(['tail', ...args, '--from-seq', String(seq)], acme);
    try {
      const out = await tail.waitForStdout(/=> /);
      expect(out).toContain(`#${seq} warehouse.46.product.${product}`);
      expect(out).toContain('  acme_format: application/json\n  acme_type: stock.sold\n');
      expect(out).toMatch(/ {2}acme_msg_id: [0-9a-f-]{36}\n {2}acme_timestamp_ms: \d{13}\n/);
      expect(out).not.toContain('myorg_');
      expect(out).toContain('  => stock.sold (event id ');
    } finally {
      expect((await tail.stop()).code).toBe(0);
    }

    const mismatched = startCli(['tail', ...args, '--from-seq', String(seq)], { STOCKWIRE_NATS_URL: wsUrl });
    try {
      expect(await mismatched.waitForStdout(/=> /)).toContain(
        '  => malformed (missing_header): header myorg_type is missing',
      );
    } finally {
      await mismatched.stop();
    }
  });

  test.each(['publish', 'tail'])(
    '%s with a bad prefix: a usage error before connecting, exit 2',
    async (command) => {
      const r = await runCli(
        [
          command,
          ...(command === 'publish' ? ['sold', '--quantity', '1'] : []),
          '--warehouse',
          '46',
          '--product',
          'Apples',
        ],
        // No server listens there: the prefix is refused before any connection is tried.
        { STOCKWIRE_NATS_URL: 'ws://127.0.0.1:9', STOCKWIRE_HEADER_PREFIX: 'my org' },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'error: STOCKWIRE_HEADER_PREFIX "my org" contains space; allowed are letters',
      );
      expect(r.stderr).not.toMatch(NO_STACK);
    },
  );
});
