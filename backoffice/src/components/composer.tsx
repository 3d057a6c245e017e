// The reply box: Enter sends, Shift+Enter starts a new line; typing is announced to the visitor
// (at most every 2.5 s while typing, and "stopped" after 4 s of silence or on send).
import { useEffect, useRef, useState } from 'preact/hooks';
import { preferences } from '../lib/preferences.ts';
import { Button, useId } from './ui.tsx';

const TYPING_REPEAT_MS = 2500;
const TYPING_IDLE_MS = 4000;

export function Composer({ onSend, onTyping, disabled, aiAnswering }: {
  onSend: (text: string) => Promise<void>;
  onTyping: (typing: boolean) => void;
  disabled?: boolean;
  aiAnswering: boolean;
}) {
  const [text, setText] = useState('');
  const [pauseOnReply, setPauseOnReply] = useState(preferences.pauseAiOnReply);
  const id = useId('reply');
  const pauseId = useId('pause-on-reply');
  const typing = useRef({ last: 0, idle: undefined as ReturnType<typeof setTimeout> | undefined });

  const stopTyping = () => {
    clearTimeout(typing.current.idle);
    if (typing.current.last) onTyping(false);
    typing.current.last = 0;
  };
  useEffect(() => stopTyping, []);

  const input = (value: string) => {
    setText(value);
    const now = Date.now();
    if (!value.trim()) return stopTyping();
    if (now - typing.current.last > TYPING_REPEAT_MS) {
      typing.current.last = now;
      onTyping(true);
    }
    clearTimeout(typing.current.idle);
    typing.current.idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const send = async () => {
    const value = text.trim();
    if (!value || disabled) return;
    stopTyping();
    setText('');
    await onSend(value);
  };

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      <label for={id} class="visually-hidden">Reply to the visitor</label>
      <textarea id={id} rows={3} maxLength={4000} placeholder="Write a reply… (Enter sends, Shift+Enter for a new line)" value={text} disabled={disabled}
        onInput={(e) => input((e.target as HTMLTextAreaElement).value)}
        onBlur={stopTyping}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }} />
      <div class="composer-foot">
        <label class="check" for={pauseId}>
          <input id={pauseId} type="checkbox" checked={pauseOnReply} onChange={(e) => {
            const on = (e.target as HTMLInputElement).checked;
            preferences.pauseAiOnReply = on;
            setPauseOnReply(on);
          }} />
          Pause the AI when I reply{aiAnswering && pauseOnReply ? ' (it is answering now)' : ''}
        </label>
        <Button type="submit" variant="primary" disabled={disabled || !text.trim()}>Send</Button>
      </div>
    </form>
  );
}
