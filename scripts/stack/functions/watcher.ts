// Notices edits under the functions folders (a function's code, _shared, deno.json, .env files) so
// the next request runs the new code. Each folder counts its own edits, so editing
// supabase/functions does not restart the test fixtures, except for supabase/functions/.env and
// .env.local, which every function reads.
//
// One inotify watch per directory, node_modules left out. (Node 20's `recursive: true` on Linux
// puts a watch on every file, node_modules included: thousands of watches and a quarter of a
// second of synchronous start-up with a few npm packages installed.) Deno's own writes
// (node_modules, deno.lock) are not edits. If watching fails (e.g. the inotify limit), a
// fingerprint of the files' sizes and times, taken on each request, stands in for the events.
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';

const ENV_FILES = new Set(['.env', '.env.local']);

function isDenoOwnWrite(path: string): boolean {
  return basename(path) === 'deno.lock' || path.split(/[\\/]/).includes('node_modules');
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(dir, d.name));
  } catch {
    return [];
  }
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

/** Watches `root` and every directory below it (but node_modules), following new ones. */
class TreeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(private readonly root: string, private readonly onEdit: (relativePath: string) => void, private readonly onError: (err: Error) => void) {
    this.add(root);
  }

  private add(dir: string) {
    if (this.watchers.has(dir) || isDenoOwnWrite(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (event, name) => this.changed(dir, event, name ? String(name) : ''));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // gone already
      throw err;
    }
    watcher.on('error', (err) => {
      this.remove(dir);
      if (dir === this.root || existsSync(dir)) this.onError(err);
    });
    this.watchers.set(dir, watcher);
    for (const sub of subdirectories(dir)) this.add(sub);
  }

  private remove(dir: string) {
    for (const [path, watcher] of this.watchers) {
      if (path === dir || path.startsWith(dir + sep)) {
        watcher.close();
        this.watchers.delete(path);
      }
    }
  }

  private changed(dir: string, event: string, name: string) {
    const path = name ? join(dir, name) : dir;
    if (isDenoOwnWrite(path)) return;
    this.onEdit(relative(this.root, path));
    if (event !== 'rename' || path === dir) return;
    // An entry appeared or went away: follow new directories, drop the watches of removed ones.
    let isDir = false;
    try { isDir = statSync(path).isDirectory(); } catch { /* removed */ }
    if (isDir) this.add(path);
    else this.remove(path);
  }

  close() {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}

interface Watched {
  edits: number;
  envEdits: number;
  tree?: TreeWatcher;
  /** Set when events cannot be had: fingerprints are compared instead. */
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
        if (state.lastPrint !== undefined) return;
        warn(`watching ${dir} failed (${why}); checking file times on each request instead`);
        state.tree?.close();
        state.tree = undefined;
        state.lastPrint = fingerprint(dir).join('\n');
      };
      try {
        state.tree = new TreeWatcher(dir, (path) => {
          state.edits++;
          if (!path || ENV_FILES.has(path)) state.envEdits++;
        }, (err) => poll(err.message));
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
    for (const state of this.dirs.values()) state.tree?.close();
  }
}
