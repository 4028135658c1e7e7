// How long `mcp-route lint` takes on a 2,000-line policy, end to end (spawning the built CLI),
// against two baselines spawned in the same run: `node -e 0` (the floor) and
// `mcp-route --version` (the CLI's own start-up). Goal: under 300 ms. Needs `npm run build`.
//   node --import tsx bench/lint.ts [runs]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintText } from '../src/policy/lint.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(CLI)) {
  console.error('bench/lint: build first (npm run build)');
  process.exit(1);
}
const RUNS = Number(process.argv[2] ?? 15);

function bigPolicy(targetLines: number): string {
  const out = ['# yaml-language-server: $schema=../schemas/policy.schema.json', 'version: 1', 'providers:'];
  for (let p = 0; p < 10; p++) out.push(`  mock-${p}:`, '    type: mock', '    responses:', `      - text: "answer ${p}"`);
  out.push('models:');
  const models: string[] = [];
  for (let m = 0; m < 120; m++) {
    const id = `model-${m}`;
    models.push(id);
    out.push(
      `  ${id}:`,
      `    provider: mock-${m % 10}`,
      `    aliases: [alias-${m}]`,
      `    cost: { input: ${m % 7}, output: ${(m % 7) * 4} }`,
      `    speed: 0.${m % 10}`,
      `    intelligence: 0.${(m * 3) % 10}`,
      '    contextWindow: 128000',
      '    supports: [text, tools]',
    );
  }
  out.push('defaults:', '  models: [model-0, model-1, model-2]', '  maxTokens: 4096', '  timeout: 30s', '  deadline: 2m', '  retry: { attempts: 3, initialDelay: 250ms, maxDelay: 4s }');
  out.push('budgets:');
  for (let b = 0; b < 40; b++) out.push(`  - name: budget-${b}`, `    scope: { provider: mock-${b % 10} }`, `    rpm: ${100 + b}`, `    usd: ${b + 1}`, '    per: day', '    onExceed: fallback');
  out.push('rules:');
  let r = 0;
  while (out.length < targetLines - 8) {
    out.push(
      `  - name: rule-${r}`,
      '    when:',
      `      server: "server-${r}-*"`,
      `      priorities: { cost: { gte: 0.${r % 10} } }`,
      `      systemPrompt: "^(?:you are|act as) agent ${r}\\\\b"`,
      `    models: [${models[r % 120]}, alias-${(r + 1) % 120}]`,
      `    timeout: ${10 + (r % 50)}s`,
      '    tools: strip',
    );
    r++;
  }
  out.push('  - name: catch-all', '    maxTokens: 1024');
  return `${out.join('\n')}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeSpawn(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return ms;
}

const text = bigPolicy(2000);
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-'));
const file = join(dir, 'big.yaml');
writeFileSync(file, text);
const lines = text.split('\n').length - 1;
const problems = lintText(text, file, { env: {} });
if (problems.length)
  throw new Error(
    `generated policy is not clean:\n${problems
      .slice(0, 5)
      .map((d) => `${d.line}:${d.column} ${d.message}`)
      .join('\n')}`,
  );

// Interleave the three commands so machine load affects them alike.
const floor: number[] = [];
const version: number[] = [];
const lint: number[] = [];
timeSpawn([CLI, 'lint', file]); // warm the file cache
for (let i = 0; i < RUNS; i++) {
  floor.push(timeSpawn(['-e', '0']));
  version.push(timeSpawn([CLI, '--version']));
  lint.push(timeSpawn([CLI, 'lint', file]));
}
const inProcess: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  lintText(text, file, { env: {} });
  inProcess.push(performance.now() - t);
}

const mNode = median(floor);
const mVersion = median(version);
const mLint = median(lint);
console.log(`policy: ${lines} lines, ${RUNS} runs each, medians:`);
console.log(`  node -e 0                 ${mNode.toFixed(0).padStart(5)} ms   (1.00x)`);
console.log(`  mcp-route --version       ${mVersion.toFixed(0).padStart(5)} ms   (${(mVersion / mNode).toFixed(2)}x node)`);
console.log(`  mcp-route lint big.yaml   ${mLint.toFixed(0).padStart(5)} ms   (${(mLint / mNode).toFixed(2)}x node, ${(mLint / mVersion).toFixed(2)}x --version)`);
console.log(`  lint itself (lint - --version): ${(mLint - mVersion).toFixed(0)} ms; in-process lintText, warm: ${median(inProcess).toFixed(1)} ms`);
console.log(`  goal < 300 ms end to end: ${mLint < 300 ? 'met' : 'NOT met'}`);
