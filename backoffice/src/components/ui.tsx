// Small building blocks with the accessibility details in one place: labelled fields, status and
// alert regions, buttons that say when they are busy, empty states that say what to do.
import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'class'> & {
  class?: string;
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  type?: 'button' | 'submit';
  disabled?: boolean;
};

export function Button({ busy, variant = 'secondary', type = 'button', disabled, children, class: cls, ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} class={`btn btn-${variant} ${cls ?? ''}`} disabled={disabled || busy} aria-busy={busy ? 'true' : undefined}>
      {busy && <span class="spinner small" aria-hidden="true" />}
      {children}
    </button>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Notice({ kind = 'info', children, onClose }: { kind?: 'info' | 'error' | 'success' | 'warning'; children: ComponentChildren; onClose?: () => void }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div class="notice-body">{children}</div>
      {onClose && <button type="button" class="notice-close" aria-label="Dismiss" onClick={onClose}>×</button>}
    </div>
  );
}

export function Empty({ title, children, action }: { title: string; children?: ComponentChildren; action?: ComponentChildren }) {
  return (
    <div class="empty">
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

let fieldIds = 0;
export function useId(prefix: string): string {
  const ref = useRef<string | undefined>(undefined);
  ref.current ??= `${prefix}-${++fieldIds}`;
  return ref.current;
}

/** A label, one control (given the id), an optional hint and error, wired with aria-describedby. */
export function Field({ label, hint, error, children, id }: {
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  id: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && <div class="hint" id={`${id}-hint`}>{hint}</div>}
      {error && <div class="field-error" id={`${id}-error`} role="alert">{error}</div>}
    </div>
  );
}

export function describedBy(id: string, hint?: unknown, error?: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

export function Badge({ kind = 'neutral', children }: { kind?: 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'grey'; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

/** Copies text; says so for two seconds (and to screen readers). */
export function CopyButton({ text, label = 'Copy', class: cls }: { text: string; label?: string; class?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" class={`btn btn-secondary ${cls ?? ''}`} onClick={copy} aria-live="polite">
      {state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Press Ctrl+C to copy' : label}
    </button>
  );
}

/** A destructive action asked twice, inline (no browser dialog). */
export function ConfirmButton({ label, confirmLabel, question, onConfirm, busy, disabled, quiet }: {
  label: string;
  /** A low-key first button (lists with one per row); the confirmation is always red. */
  quiet?: boolean;
  confirmLabel?: string;
  question: string;
  onConfirm: () => void | Promise<void>;
  busy?: boolean;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return <Button variant="danger" class={quiet ? 'btn-danger-ghost' : ''} disabled={disabled} busy={busy} onClick={() => setAsking(true)}>{label}</Button>;
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span class="confirm-question">{question}</span>
      <button ref={confirmRef} type="button" class="btn btn-danger" onClick={async () => { setAsking(false); await onConfirm(); }}>
        {confirmLabel ?? label}
      </button>
      <Button variant="ghost" onClick={() => setAsking(false)}>Cancel</Button>
    </span>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div class="progress-bar" style={{ width: `${pct}%` }} />
    </div>
  );
}
