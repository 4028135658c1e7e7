// Cryptographically random bytes without loading node:crypto, for what `run` needs at start
// and while idle: the model gateway's token, made before the server's spawn (requiring
// node:crypto compiles some twenty of Node's own modules, about 10 M instructions), and the
// proxy's id prefixes and input handles (an idle router that never loaded node:crypto holds
// about 1 MiB less: importing it as an ES module also evaluates every lazy export, Web Crypto
// included). Read from the kernel's random device where there is one (Linux, macOS: the
// generator node:crypto's randomBytes also draws from); elsewhere (Windows), node:crypto.

import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const DEVICE = '/dev/urandom';

/** `bytes` cryptographically random bytes. */
export function randomBytes(bytes: number): Buffer {
  return fromDevice(bytes) ?? fromNodeCrypto(bytes);
}

/** `bytes` cryptographically random bytes, as lowercase hex. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
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
