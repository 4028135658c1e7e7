// Random bytes as hex, for a secret `mcp-route run` makes before it spawns its server (the
// model gateway's token, which the server's environment carries). Read from the kernel's
// random device where there is one (Linux, macOS: the generator node:crypto's randomBytes also
// draws from), so that node:crypto need not be loaded before the spawn: requiring it compiles
// some twenty of Node's own modules, about 10 M instructions. Elsewhere (Windows), node:crypto.

import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const DEVICE = '/dev/urandom';

/** `bytes` cryptographically random bytes, as lowercase hex. */
export function randomHex(bytes: number): string {
  return (fromDevice(bytes) ?? fromNodeCrypto(bytes)).toString('hex');
}

/** The bytes from the random device, or undefined when there is none to read. */
function fromDevice(bytes: number): Buffer | undefined {
  if (process.platform === 'win32') return undefined;
  let fd: number;
  try {
    fd = openSync(DEVICE, 'r');
  } catch {
    return undefined;
  }
  try {
    const out = Buffer.alloc(bytes);
    for (let filled = 0; filled < bytes; ) {
      const n = readSync(fd, out, filled, bytes - filled, null);
      // A device that ends is not a random device: never hand out a half-filled buffer.
      if (n <= 0) return undefined;
      filled += n;
    }
    return out;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function fromNodeCrypto(bytes: number): Buffer {
  // Loaded only here, for the reason at the top of this file.
  const { randomBytes } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return randomBytes(bytes);
}
