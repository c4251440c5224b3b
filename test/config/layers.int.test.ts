/**
 * The import direction of docs/architecture.md#code-layout, tried on the real ESLint configuration: wrong
 * imports are refused with the rule's message, right ones pass. The probes are linted as text placed at a path
 * inside src/, so nothing is written into the tree; type-aware rules are off for them (they need files on disk)
 * and are not what is tested here.
 */
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: [tseslint.configs.disableTypeChecked],
});

async function refusals(filePath: string, specifier: string): Promise<string[]> {
  const code = `import * as probe from '${specifier}';\nexport const used = probe;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'import-x/no-restricted-paths')
    .map((message) => message.message);
}

describe('layers: imports only go down', () => {
  it.each([
    [
      'a feature imports another feature',
      'src/features/quality/Probe.tsx',
      '../warehouse/StockGrid',
      /never imports another feature/,
    ],
    [
      'a feature imports the shell',
      'src/features/quality/Probe.tsx',
      '../../shell/App',
      /Nothing but src\/main.tsx/,
    ],
    [
      'common code imports a feature',
      'src/common/Probe.tsx',
      '../features/warehouse/StockGrid',
      /src\/common may import only/,
    ],
    [
      'common code imports the shell',
      'src/common/ui/Probe.tsx',
      '../../shell/Header',
      /src\/common may import only/,
    ],
    [
      'browser code imports a Node worker',
      'src/engine/probe.ts',
      '../workers/projector',
      /src\/engine may import only/,
    ],
    [
      'browser code imports the CLI',
      'src/features/events/probe.ts',
      '../../cli/run',
      /src\/features may import only/,
    ],
    [
      'browser code imports command-line parsing',
      'src/common/probe.ts',
      '../command-line/args',
      /src\/common may import only/,
    ],
    [
      'a page imports NATS code directly',
      'src/features/procurement/probe.ts',
      '../../nats/worker-status',
      /src\/features may import only/,
    ],
    [
      'a runtime-neutral helper imports NATS code',
      'src/lib/probe.ts',
      '../nats/replay',
      /src\/lib may import only core/,
    ],
    [
      'the core imports the engine',
      'src/core/probe.ts',
      '../engine/protocol',
      /src\/core may import only itself/,
    ],
    [
      'a Node worker imports the engine',
      'src/workers/probe.ts',
      '../engine/outbox',
      /src\/workers may import only/,
    ],
  ])('refuses: %s', async (_what, filePath, specifier, message) => {
    const found = await refusals(filePath, specifier);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(message);
  });

  it.each([
    ['a feature imports common code', 'src/features/quality/Probe.tsx', '../../common/engine-queries'],
    ['a feature imports its own files', 'src/features/warehouse/Probe.tsx', './stock-rows'],
    ['the shell imports a feature', 'src/shell/Probe.tsx', '../features/audit/AuditDrawer'],
    ['the entry point imports the shell', 'src/main-probe.tsx', './shell/App'],
    ['a Node worker imports command-line parsing', 'src/workers/probe.ts', '../command-line/args'],
    ['the engine imports NATS code', 'src/engine/probe.ts', '../nats/replay'],
  ])('allows: %s', async (_what, filePath, specifier) => {
    expect(await refusals(filePath, specifier)).toEqual([]);
  });
});
