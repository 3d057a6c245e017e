// Notices edits under the functions folders (a function's code, _shared, deno.json, .env files) so
// the next request runs the new code. fs.watch is recursive on Node 20 Linux (inotify). Deno's own
// writes (node_modules, deno.lock) are not edits. If watching fails (e.g. the inotify limit), a
// fingerprint of the files' sizes and times, taken on each request, stands in for the events.
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';

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

export class SourceWatcher {
  private count = 0;
  private watchers: FSWatcher[] = [];
  private polled: string[] = [];
  private lastPrint = '';

  constructor(dirs: string[], warn: (line: string) => void) {
    for (const dir of dirs) {
      if (!existsSync(dir)) continue;
      try {
        const watcher = watch(dir, { recursive: true }, (_event, file) => {
          if (!file || !isDenoOwnWrite(String(file))) this.count++;
        });
        watcher.on('error', (err) => {
          warn(`watching ${dir} failed (${err.message}); checking file times on each request instead`);
          watcher.close();
          this.polled.push(dir);
        });
        this.watchers.push(watcher);
      } catch (err) {
        warn(`cannot watch ${dir} (${(err as Error).message}); checking file times on each request instead`);
        this.polled.push(dir);
      }
    }
  }

  /** Moves on every edit; two equal values mean nothing changed in between. */
  generation(): number {
    if (this.polled.length) {
      const print = this.polled.flatMap((d) => fingerprint(d)).join('\n');
      if (print !== this.lastPrint) {
        this.lastPrint = print;
        this.count++;
      }
    }
    return this.count;
  }

  close() {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
