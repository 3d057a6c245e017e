// The message box: grows with its text, Enter sends (Shift+Enter for a new line, never while an
// input method is composing), and reports typing so the team sees "typing…".
export function wireComposer(
  form: HTMLFormElement,
  input: HTMLTextAreaElement,
  submit: (text: string) => void,
  typing: (isTyping: boolean) => void,
): void {
  let idle: ReturnType<typeof setTimeout> | undefined;
  let lastTyping = 0;
  const stopTyping = () => {
    clearTimeout(idle);
    if (lastTyping) typing(false);
    lastTyping = 0;
  };
  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
  };
  const send = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    grow();
    stopTyping();
    submit(text);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => {
    grow();
    const now = Date.now();
    // At most one "typing" broadcast every 2.5 s, and "stopped" after 4 s without a key.
    if (now - lastTyping > 2500) {
      lastTyping = now;
      typing(true);
    }
    clearTimeout(idle);
    idle = setTimeout(stopTyping, 4000);
  });
  input.addEventListener('blur', stopTyping);
}
