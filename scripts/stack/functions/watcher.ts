// Notices edits under the functions folders (a function's code, _shared, deno.json, .env files) so
// the next request runs the new code. fs.watch is recursive on Node 20 Linux (inotify). Each folder
// counts its own edits, so editing supabase/functions does not restart the test fixtures, except
// for supabase/functions/.env and .env.local, which every function reads. Deno's own writes
// (node_modules, deno.lock) are not edits. If watching fails (e.g. the inotify limit), a
// fingerprint of the files' sizes and times, taken on each request, stands in for the events.
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';

const ENV_FILES = new Set(['.env', '.env.local']);

function isDenoOwnWrite(file: string): boolean {
  return basename(file) === 'deno.lock' || file.split(/[\\/]/).includes('node_modules');
}

function fingerprint(dir: string, out: string[] = []): string[] {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (isDenoOwnWrite(path)) continue;
    if (entry.isDirectory()) fingerprint(path, out);
    else {
      try {
        const st = statSync(path);
        out.push(`${path}:${st.size}:${st.mtimeMs}`);
      } catch { /* vanished meanwhile */ }
    }
  }
  return out;
}

interface Watched {
  edits: number;
  envEdits: number;
  watcher?: FSWatcher;
  /** Set when events cannot be had: compare fingerprints instead. */
  lastPrint?: string;
}

export class SourceWatcher {
  private readonly dirs = new Map<string, Watched>();

  constructor(dirs: string[], warn: (line: string) => void) {
    for (const dir of dirs) {
      const state: Watched = { edits: 0, envEdits: 0 };
      this.dirs.set(dir, state);
      if (!existsSync(dir)) continue;
      const poll = (why: string) => {
        warn(`watching ${dir} failed (${why}); checking file times on each request instead`);
        state.watcher?.close();
        state.watcher = undefined;
        state.lastPrint = fingerprint(dir).join('\n');
      };
      try {
        state.watcher = watch(dir, { recursive: true }, (_event, file) => {
          const name = file ? String(file) : '';
          if (name && isDenoOwnWrite(name)) return;
          state.edits++;
          if (!name || ENV_FILES.has(name)) state.envEdits++;
        });
        state.watcher.on('error', (err) => poll(err.message));
      } catch (err) {
        poll((err as Error).message);
      }
    }
  }

  private state(dir: string): Watched {
    const state = this.dirs.get(dir);
    if (!state) throw new Error(`${dir} is not watched`);
    if (state.lastPrint !== undefined) {
      const print = fingerprint(dir).join('\n');
      if (print !== state.lastPrint) {
        state.lastPrint = print;
        state.edits++;
        state.envEdits++;
      }
    }
    return state;
  }

  /** Moves on every edit under `dir`; two equal values mean nothing there changed in between. */
  generation(dir: string): number {
    return this.state(dir).edits;
  }

  /** Moves when `dir`'s own .env or .env.local changed. */
  envGeneration(dir: string): number {
    return this.state(dir).envEdits;
  }

  close() {
    for (const state of this.dirs.values()) state.watcher?.close();
  }
}
