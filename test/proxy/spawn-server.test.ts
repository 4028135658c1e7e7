// How the server command is resolved (issue 12, item 11). Windows cannot start `npx` without a
// shell (it is `npx.cmd`); cross-spawn wraps such commands in `cmd.exe /d /s /c` with cmd's
// escaping. The Windows logic is exercised here on any OS by loading the module in a child
// process whose process.platform says win32, with a PATH holding an `npx.cmd` and a `node.exe`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveServerCommand } from '../../src/proxy/spawn-server.js';

const MODULE = fileURLToPath(new URL('../../src/proxy/spawn-server.ts', import.meta.url));

function resolveAsWindows(command: string, args: string[]): { command: string; args: string[] } {
  const bin = mkdtempSync(join(tmpdir(), 'mcp-route-winpath-'));
  writeFileSync(join(bin, 'npx.cmd'), '@echo off\r\n');
  writeFileSync(join(bin, 'node.exe'), '');
  const script = `
    Object.defineProperty(process, 'platform', { value: 'win32' });
    const { resolveServerCommand } = await import(${JSON.stringify(MODULE)});
    const env = { Path: ${JSON.stringify(bin)}, PATHEXT: '.com;.exe;.bat;.cmd' };
    process.stdout.write(JSON.stringify(resolveServerCommand(${JSON.stringify(command)}, ${JSON.stringify(args)}, env)));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, comspec: '', PATHEXT: '.com;.exe;.bat;.cmd' } });
  return JSON.parse(out);
}

test('on Windows, `npx` (a .cmd shim) runs through cmd.exe with its arguments escaped', { timeout: 30_000 }, () => {
  const r = resolveAsWindows('npx', ['-y', '@scope/server', 'a b&c']);
  assert.equal(r.command, 'cmd.exe');
  assert.deepEqual(r.args.slice(0, 3), ['/d', '/s', '/c']);
  // cmd's metacharacters are caret-escaped, so `&` cannot start a second command.
  assert.equal(r.args[3], '"npx ^"-y^" ^"@scope/server^" ^"a^ b^&c^""');
});

test('on Windows, an .exe found on PATH is started directly, without a shell', { timeout: 30_000 }, () => {
  const r = resolveAsWindows('node', ['server.js']);
  assert.equal(r.command, 'node');
  assert.deepEqual(r.args, ['server.js']);
});

test('elsewhere the command and arguments are passed unchanged', { skip: process.platform === 'win32' }, () => {
  assert.deepEqual(resolveServerCommand('npx', ['-y', 'a b&c'], process.env), { command: 'npx', args: ['-y', 'a b&c'] });
});
