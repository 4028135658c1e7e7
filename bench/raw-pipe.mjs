// The physical limit of any stdio proxy process: spawn the command and pipe bytes both
// ways, nothing else. bench/proxy.ts measures mcp-route against this.
// Usage: node bench/raw-pipe.mjs <command> [args...]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.stdin.on('error', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
