// The agent's own preferences, kept in this browser.
const PREFIX = 'emily-backoffice:';

function read(key: string): string | null {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(PREFIX + key, value);
  } catch {
    // storage blocked: the preference lasts for this page only
  }
}

export const preferences = {
  /** Replying pauses the AI in that conversation (on unless turned off). */
  get pauseAiOnReply(): boolean {
    return read('pause-ai-on-reply') !== 'false';
  },
  set pauseAiOnReply(on: boolean) {
    write('pause-ai-on-reply', String(on));
  },
  /** Desktop notifications for new visitor messages (the browser's permission is asked on a click). */
  get notify(): boolean {
    return read('notify') === 'true';
  },
  set notify(on: boolean) {
    write('notify', String(on));
  },
};
