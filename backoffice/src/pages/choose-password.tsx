// The first screen after accepting a team invitation or opening a password-reset link: the person
// chooses the password they will sign in with (auth.updateUser), and only then sees the backoffice.
import { useState } from 'preact/hooks';
import { Button, describedBy, Field, Notice, useId } from '../components/ui.tsx';
import { useTitle } from '../lib/attention.ts';
import type { PasswordPurpose } from '../lib/auth-link.ts';
import { authErrorText } from '../lib/errors.ts';
import { supabase } from '../supabase.ts';

const MIN_LENGTH = 8;

const WORDS: Record<PasswordPurpose, { title: string; heading: string; intro: string; save: string }> = {
  invite: {
    title: 'Choose your password',
    heading: 'Welcome! Choose your password',
    intro: 'You accepted the invitation for',
    save: 'Save password and continue',
  },
  recovery: {
    title: 'Choose a new password',
    heading: 'Choose a new password',
    intro: 'You asked to reset the password of',
    save: 'Save new password and continue',
  },
};

export function ChoosePasswordPage({ email, purpose, onChosen }: { email: string; purpose: PasswordPurpose; onChosen: () => void }) {
  const words = WORDS[purpose];
  useTitle(words.title);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const passwordId = useId('new-password');
  const repeatId = useId('repeat-password');

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (password.length < MIN_LENGTH) return setError(`Choose a password of at least ${MIN_LENGTH} characters.`);
    if (password !== repeat) return setError('The two passwords are not the same.');
    setBusy(true);
    const { error: err } = await supabase.auth.updateUser({ password });
    setBusy(false);
    if (err) return setError(authErrorText(err));
    onChosen();
  };

  return (
    <div class="auth-page">
      <main id="main" class="auth-card" tabIndex={-1}>
        <div class="brand big">Emily</div>
        <h1 tabIndex={-1}>{words.heading}</h1>
        <p class="muted">{words.intro} <strong>{email}</strong>. Choose the password you will sign in with from now on.</p>
        {error && <Notice kind="error">{error}</Notice>}
        <form onSubmit={submit} noValidate>
          <Field label="New password" id={passwordId} hint={`At least ${MIN_LENGTH} characters.`}>
            <input id={passwordId} type="password" autocomplete="new-password" required minLength={MIN_LENGTH}
              aria-describedby={describedBy(passwordId, true)} value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </Field>
          <Field label="Repeat the password" id={repeatId}>
            <input id={repeatId} type="password" autocomplete="new-password" required value={repeat} onInput={(e) => setRepeat((e.target as HTMLInputElement).value)} />
          </Field>
          <Button type="submit" variant="primary" busy={busy} class="wide">{words.save}</Button>
        </form>
        <p class="switch">Not you? <button type="button" class="link" onClick={() => void supabase.auth.signOut()}>Sign out</button></p>
      </main>
    </div>
  );
}
