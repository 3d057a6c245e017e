// "Forgot your password?": the person gives their e-mail and Supabase Auth sends a one-time link
// (auth.resetPasswordForEmail) that brings them back here to choose a new password. The answer is
// the same whether or not an account exists, so this page tells nobody which addresses have one.
import { useState } from 'preact/hooks';
import { Button, Field, Notice, useId } from '../components/ui.tsx';
import { config } from '../env.ts';
import { useTitle } from '../lib/attention.ts';
import { recoveryRedirectUrl } from '../lib/auth-link.ts';
import { authErrorText } from '../lib/errors.ts';
import { supabase } from '../supabase.ts';

export const LINK_SENT = 'If an account exists for that e-mail, we sent it a link to choose a new password. The link works once, within an hour.';

export function ForgotPasswordPage({ notice }: { notice?: string }) {
  useTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [sent, setSent] = useState(false);
  const emailId = useId('email');

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSent(false);
    const address = email.trim();
    if (!address) return setError('Enter the e-mail you sign in with.');
    setBusy(true);
    const { error: err } = await supabase.auth.resetPasswordForEmail(address, { redirectTo: recoveryRedirectUrl() });
    setBusy(false);
    if (err) return setError(authErrorText(err));
    setSent(true);
  };

  return (
    <div class="auth-page">
      <main id="main" class="auth-card" tabIndex={-1}>
        <div class="brand big">Emily</div>
        <h1 tabIndex={-1}>Reset your password</h1>
        <p class="muted">Enter the e-mail you sign in with. We will send you a link to choose a new password.</p>
        {notice && !sent && <Notice kind="warning">{notice}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        {sent && <Notice kind="success">{LINK_SENT}</Notice>}
        <form onSubmit={submit} noValidate>
          <Field label="E-mail" id={emailId}>
            <input id={emailId} type="email" autocomplete="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </Field>
          <Button type="submit" variant="primary" busy={busy} class="wide">Send the link</Button>
        </form>
        <p class="switch">Remembered it? <a href="#/sign-in">Sign in</a></p>
        {config.demoWebsiteId && (
          <p class="hint demo-hint">Local stack: no mail server runs, so the message is printed by <code>npm start</code> and saved under <code>.emily/mail/</code>.</p>
        )}
      </main>
    </div>
  );
}
