// `npm test`: every check the project has, in order, stopping at the first failure.
//   dependencies → typecheck → lint → unit → integration → chaos → build → end-to-end
// Counts per stage come from the runners' JSON reports, written under .tmp/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  MissingDependency,
  REPO_ROOT,
  checkNodeVersion,
  ensureChromium,
  ensureNatsServerWithVersion,
  ensureNodeModules,
} from './lib/ensure.mjs';

const REPORTS = join(REPO_ROOT, '.tmp', 'test-reports');
const log = (line) => console.log(`[test] ${line}`);

function runStage(command, args, env = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0'),
        ...env,
      },
    });
    child.on('error', (error) => resolveRun({ ok: false, detail: error.message }));
    child.on('exit', (code, signal) =>
      resolveRun({ ok: code === 0, detail: signal ? `killed by ${signal}` : `exit code ${code}` }),
    );
  });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function vitestCounts(path) {
  const r = readJson(path);
  if (!r) return undefined;
  return {
    passed: r.numPassedTests ?? 0,
    failed: r.numFailedTests ?? 0,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
}

function playwrightCounts(path) {
  const r = readJson(path);
  if (!r?.stats) return undefined;
  return {
    passed: (r.stats.expected ?? 0) + (r.stats.flaky ?? 0),
    failed: r.stats.unexpected ?? 0,
    skipped: r.stats.skipped ?? 0,
  };
}

function filesUnder(dir, pattern) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, pattern));
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

const npx = (...args) => ['npx', ['--no-install', ...args]];

/** Each stage: what to run, and where its counts come from (none for pass/fail-only stages). */
const STAGES = [
  { name: 'typecheck', run: () => ['npm', ['run', '--silent', 'typecheck']] },
  { name: 'lint', run: () => ['npm', ['run', '--silent', 'lint']] },
  {
    name: 'unit',
    report: join(REPORTS, 'unit.json'),
    counts: vitestCounts,
    run: (s) =>
      npx(
        'vitest',
        'run',
        '--project',
        'unit',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${s.report}`,
      ),
  },
  {
    name: 'integration',
    report: join(REPORTS, 'integration.json'),
    counts: vitestCounts,
    // vitest fails a project without test files; before the first one exists there is nothing to run.
    skip: () =>
      filesUnder(join(REPO_ROOT, 'test'), /\.int\.test\.ts$/).length === 0
        ? 'no integration tests yet'
        : undefined,
    run: (s) =>
      npx(
        'vitest',
        'run',
        '--project',
        'integration',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${s.report}`,
      ),
  },
  {
    name: 'chaos',
    report: join(REPORTS, 'chaos.json'),
    counts: vitestCounts,
    run: (s) =>
      npx(
        'vitest',
        'run',
        '--config',
        'test/chaos/vitest.chaos.config.ts',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${s.report}`,
      ),
  },
  { name: 'build', run: () => ['npm', ['run', '--silent', 'build']] },
  {
    name: 'e2e',
    report: join(REPORTS, 'e2e.json'),
    counts: playwrightCounts,
    run: () => npx('playwright', 'test', '--reporter=list,json'),
    // The build stage has just produced dist/; the e2e global setup need not build it again.
    env: (s) => ({ PLAYWRIGHT_JSON_OUTPUT_NAME: s.report, STOCKWIRE_E2E_BUILT: '1' }),
  },
];

function formatCounts(c) {
  if (!c) return '';
  return `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}

function summary(results) {
  console.log('\n──────── npm test summary ────────');
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    const secs = r.ms === undefined ? '' : ` (${(r.ms / 1000).toFixed(1)} s)`;
    const counts = r.counts ? `  ${formatCounts(r.counts)}` : '';
    console.log(`  ${r.status.padEnd(7)} ${r.name.padEnd(12)}${counts}${secs}${r.note ? `  ${r.note}` : ''}`);
    if (r.counts) {
      passed += r.counts.passed;
      failed += r.counts.failed;
    }
  }
  console.log('──────────────────────────────────');
  // The plain closing line CI reads: tests counted over unit, integration, chaos and end-to-end runs.
  console.log(`tests: ${passed} passed, ${failed} failed`);
}

async function main() {
  const results = [];
  const started = Date.now();
  try {
    checkNodeVersion();
    ensureNodeModules(log);
    const server = ensureNatsServerWithVersion(log);
    log(`nats-server: ${server.path} (v${server.version})`);
    log(`chromium: ${ensureChromium(log)}`);
    results.push({ name: 'deps', status: 'ok', ms: Date.now() - started });
  } catch (error) {
    results.push({ name: 'deps', status: 'FAILED', note: error.message.split('\n')[0] });
    console.error(`\n${error instanceof MissingDependency ? error.message : error.stack}`);
    summary(results);
    process.exit(1);
  }

  mkdirSync(REPORTS, { recursive: true });
  for (const stage of STAGES) {
    const skipped = stage.skip?.();
    if (skipped) {
      log(`── ${stage.name}: skipped (${skipped})`);
      results.push({ name: stage.name, status: 'skipped', note: skipped });
      continue;
    }
    if (stage.report) rmSync(stage.report, { force: true });
    const [command, args] = stage.run(stage);
    log(`── ${stage.name}: ${command} ${args.join(' ').replaceAll(`${REPO_ROOT}/`, '')}`);
    const t0 = Date.now();
    const outcome = await runStage(command, args, stage.env?.(stage));
    const counts = stage.counts?.(stage.report);
    const ok = outcome.ok && (!counts || counts.failed === 0);
    results.push({
      name: stage.name,
      status: ok ? 'ok' : 'FAILED',
      ms: Date.now() - t0,
      counts,
      note: ok
        ? undefined
        : `${outcome.detail}${stage.report ? `; report ${relative(REPO_ROOT, stage.report)}` : ''}`,
    });
    if (!ok) {
      const rest = STAGES.slice(STAGES.indexOf(stage) + 1).map((s) => s.name);
      if (rest.length) results.push({ name: rest.join(', '), status: 'not run' });
      summary(results);
      console.error(`\nnpm test stopped: the ${stage.name} stage failed.`);
      process.exit(1);
    }
  }
  summary(results);
  console.log(`All stages passed in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

await main();
