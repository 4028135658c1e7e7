// Runs the policy fuzz loop inside a worker thread so the test can time-box every single
// mutation: a hang in the loader (a regex, a YAML alias bomb) blocks only this thread, and
// the test terminates it and reports the text that hung. Uses the built library (dist/).
import { parentPort, workerData } from 'node:worker_threads';
import YAML from 'yaml';

const { distDir, seed, iterations, bases, env } = workerData;
const { lintText } = await import(`${distDir}/policy/lint.js`);
const { parsePolicy } = await import(`${distDir}/policy/load.js`);
const { createRouter } = await import(`${distDir}/router/router.js`);

// test/helpers/prng.ts, repeated: this worker is plain JS run against dist/, without tsx.
function prng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const pick = (list) => list[Math.floor(random() * list.length)];
const BYTES = [':', '-', '{', '}', '[', ']', '"', "'", '\t', '\n', ' ', '#', '&', '*', '!', '%', '|', '>', '\0', '\\', '$', 'x', '9', '\u00e9', '\ufeff'];
const VALUES = [
  42,
  -1,
  0,
  0.5,
  // biome-ignore lint/correctness/noPrecisionLoss: Infinity written as a number literal is one of the fuzz values
  1e309,
  'str',
  '',
  '   ',
  true,
  false,
  null,
  [],
  {},
  [1, 'a'],
  { x: 1 },
  '${UNSET_FUZZ_VAR}',
  '${',
  '1e309',
  '10ms',
  'ms',
  '((a+)+)+$',
  '*',
  'ftp://x',
  'http://127.0.0.1:1/v1',
];

function paths(value, prefix = []) {
  if (value === null || typeof value !== 'object') return [];
  const out = [];
  for (const k of Object.keys(value)) {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(p, ...paths(value[k], p));
  }
  return out;
}
function parent(obj, path) {
  let v = obj;
  for (const k of path.slice(0, -1)) v = v[k];
  return v;
}

const MUTATORS = {
  flip(text) {
    const chars = [...text];
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) chars[Math.floor(random() * chars.length)] = pick(BYTES);
    return chars.join('');
  },
  drop(text) {
    const obj = YAML.parse(text, { logLevel: 'error' });
    const all = paths(obj);
    if (!all.length) return text;
    const p = pick(all);
    const host = parent(obj, p);
    if (Array.isArray(host)) host.splice(p.at(-1), 1);
    else delete host[p.at(-1)];
    return YAML.stringify(obj);
  },
  retype(text) {
    const obj = YAML.parse(text, { logLevel: 'error' });
    const all = paths(obj);
    if (!all.length) return text;
    const p = pick(all);
    parent(obj, p)[p.at(-1)] = structuredClone(pick(VALUES));
    return YAML.stringify(obj);
  },
  truncate(text) {
    return text.slice(0, Math.floor(random() * text.length));
  },
  duplicateLine(text) {
    const lines = text.split('\n');
    const i = Math.floor(random() * lines.length);
    lines.splice(i, 0, lines[i]);
    return lines.join('\n');
  },
};
const names = Object.keys(MUTATORS);
const request = { messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }], maxTokens: 100, modelPreferences: { hints: [{ name: 'claude' }], costPriority: 0.9 } };

for (let i = 0; i < iterations; i++) {
  let text = pick(bases);
  const kinds = [];
  const rounds = 1 + Math.floor(random() * 2);
  for (let r = 0; r < rounds; r++) {
    const kind = pick(names);
    kinds.push(kind);
    try {
      text = MUTATORS[kind](text);
    } catch {
      // An earlier flip made it unparseable for a structural mutation: keep the text as is.
    }
  }
  parentPort.postMessage({ type: 'start', i, kinds, text });
  const started = performance.now();
  try {
    const diagnostics = lintText(text, 'fuzz.yaml', { env });
    const { policy, diagnostics: again } = parsePolicy(text, 'fuzz.yaml', env);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const bad = diagnostics.find((d) => (d.severity !== 'error' && d.severity !== 'warning') || typeof d.message !== 'string' || !d.message || !Number.isInteger(d.line) || d.line < 0);
    if (bad) throw new Error(`malformed diagnostic ${JSON.stringify(bad)}`);
    if (!!policy === errors > 0) throw new Error(`lint found ${errors} errors but the loader ${policy ? 'returned a policy' : 'did not'} (${JSON.stringify(again.slice(0, 3))})`);
    let explained = false;
    if (policy) {
      // A policy that loads must also route: explain is the pure decision, no provider calls.
      const router = createRouter(policy);
      router.explain(request, { serverName: 'fuzz' });
      await router.close();
      explained = true;
    }
    parentPort.postMessage({ type: 'done', i, outcome: policy ? 'clean' : 'diagnostics', errors, explained, ms: performance.now() - started });
  } catch (err) {
    parentPort.postMessage({ type: 'crash', i, kinds, text, error: String(err?.stack ?? err) });
  }
}
parentPort.postMessage({ type: 'end' });
