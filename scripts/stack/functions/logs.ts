// Where the functions' console output goes: always to <stateDir>/logs/functions.log, and to the
// terminal too when the stack is verbose, each line prefixed with the function's name.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export class FunctionLogs {
  private file: WriteStream | undefined;
  readonly path: string;

  constructor(stateDir: string, private readonly verbose: boolean) {
    this.path = join(stateDir, 'logs', 'functions.log');
    try {
      mkdirSync(join(stateDir, 'logs'), { recursive: true });
      this.file = createWriteStream(this.path, { flags: 'a' });
      this.file.on('error', () => { this.file = undefined; });
    } catch {
      this.file = undefined;
    }
  }

  line(source: string, text: string) {
    const stamped = `${new Date().toISOString()} [${source}] ${text}\n`;
    this.file?.write(stamped);
    if (this.verbose) process.stdout.write(`[${source}] ${text}\n`);
  }

  /**
   * Splits a child's output stream into lines; `filter` may swallow a line (returns false) or
   * keep it.
   */
  follow(source: string, stream: Readable, filter: (line: string) => boolean = () => true) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (filter(l) && l.trim()) this.line(source, l.replace(/\r$/, ''));
    });
    stream.on('end', () => { if (pending && filter(pending)) this.line(source, pending); pending = ''; });
  }

  close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    return new Promise((resolve) => (file ? file.end(() => resolve()) : resolve()));
  }
}
