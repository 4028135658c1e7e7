// Live reload of the policy file: a valid edit applies to the next request, a broken one is
// reported (file:line:col, at warn, where host logs show it) and the last good policy stays.
// The folder is watched rather than the file, because editors save by writing a new file and
// renaming it over the old one, which ends a watch on the old file.

import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Policy } from '../policy/types.js';
import type { Logger } from '../proxy/log.js';

/** Editors write in several steps; one reload after they settle. */
const SETTLE_MS = 75;

export interface PolicyWatcher {
  /** Reload now (SIGHUP), whether or not the file changed. */
  reload(reason: string): void;
  close(): void;
}

export interface WatchPolicyOptions {
  path: string;
  /** Loads and validates the file (reading the environment again). Throws PolicyError. */
  load: (path: string) => Policy;
  onPolicy: (policy: Policy) => void;
  log: Logger;
}

export function watchPolicyFile(o: WatchPolicyOptions): PolicyWatcher {
  const path = resolve(o.path);
  let lastText = readText(path);
  let timer: NodeJS.Timeout | undefined;

  const apply = (reason: string, force: boolean) => {
    const text = readText(path);
    if (text === undefined) return o.log.warn(`policy ${o.path} is gone (${reason}); keeping the last good policy`);
    if (!force && text === lastText) return;
    lastText = text;
    try {
      const policy = o.load(o.path);
      o.onPolicy(policy);
      o.log.info(`policy reloaded from ${o.path} (${reason})`);
    } catch (err) {
      o.log.warn(`policy ${o.path} not reloaded, keeping the last good policy:\n${err instanceof Error ? err.message : String(err)}`);
    }
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name !== null && name.toString() !== basename(path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => apply('file changed', false), SETTLE_MS);
      timer.unref();
    });
    watcher.on('error', (err) => o.log.warn(`watching ${o.path} stopped: ${err.message}; SIGHUP still reloads`));
  } catch (err) {
    o.log.warn(`cannot watch ${o.path}: ${(err as Error).message}; SIGHUP still reloads`);
  }
  return {
    reload: (reason) => apply(reason, true),
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
