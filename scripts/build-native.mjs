// Builds native/addon.c, harden.c (prctl PR_SET_DUMPABLE) and scan.c (the proxy's frame scanner;
// src/proxy/frame-scan.ts falls back to the JavaScript one without it) into
// build/Release/mcp_route_native.node and
// native/engine.cc (memory given back once idle, the JIT's tier-up budget) into
// build/Release/mcp_route_engine.node with
// node-gyp, at install and after `npm run build` when one is missing. Never fails the install:
// without a compiler mcp-route still runs, and says at start-up that its /proc entries stay
// readable (see the README's Security section); without the engine addon it only stays larger
// while idle and its proxy is optimised later. Only Linux has something to build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const addon = join(root, 'build', 'Release', 'mcp_route_native.node');
const engineAddon = join(root, 'build', 'Release', 'mcp_route_engine.node');
if (process.platform !== 'linux' || (existsSync(addon) && existsSync(engineAddon) && !process.argv.includes('--force'))) process.exit(0);

// npm tells scripts where its bundled node-gyp is; outside npm, look beside this node.
const prefix = dirname(dirname(process.execPath));
const candidates = [process.env.npm_config_node_gyp, join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
const nodeGyp = candidates.find((p) => p && existsSync(p));
// Headers installed with node (a distribution package, the official tarball) spare node-gyp a download.
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const args = nodeGyp ? [nodeGyp, 'rebuild', ...nodedir] : null;
const started = Date.now();
const r = args ? spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' }) : spawnSync('node-gyp', ['rebuild', ...nodedir], { cwd: root, encoding: 'utf8', shell: false });
const why = () => (r.error ? r.error.message : (r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | '));
if (r.status === 0 && existsSync(addon) && existsSync(engineAddon)) {
  process.stderr.write(`mcp-route: built ${addon} and ${engineAddon} in ${Date.now() - started} ms\n`);
} else if (existsSync(addon)) {
  process.stderr.write(`mcp-route: note: could not build ${engineAddon} (${why()}); mcp-route works, it only keeps more memory while idle and takes longer to optimise its proxy\n`);
} else {
  process.stderr.write(
    `mcp-route: warning: could not build the native addon (${why()}); mcp-route works, but a same-user server can read its environment through /proc, and the proxy reads frames in JavaScript (slower)\n`,
  );
}
