// Sign in and sign up with e-mail and password (Supabase Auth). The session is kept by supabase-js
// in localStorage, so a reload stays signed in.
import { useState } from 'preact/hooks';
import { Button, describedBy, Field, Notice, useId } from '../components/ui.tsx';
import { config } from '../env.ts';
import { useTitle } from '../lib/attention.ts';
import { authErrorText } from '../lib/errors.ts';
import { supabase } from '../supabase.ts';

export function SignInPage({ refused, mode }: { refused?: string; mode: 'sign-in' | 'sign-up' }) {
  const signUp = mode === 'sign-up';
  useTitle(signUp ? 'Create an account' : 'Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();
  const emailId = useId('email');
  const passwordId = useId('password');

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setInfo(undefined);
    if (signUp && password.length < 8) return setError('Choose a password of at least 8 characters.');
    setBusy(true);
    const result = signUp
      ? await supabase.auth.signUp({ email: email.trim(), password })
      : await supabase.auth.signInWithPassword({ email: email.trim(), password });
    setBusy(false);
    if (result.error) return setError(authErrorText(result.error));
    if (signUp && !result.data.session) setInfo('Almost there: open the link we sent to your e-mail to confirm your account, then sign in.');
  };

  return (
    <div class="auth-page">
      <main id="main" class="auth-card" tabIndex={-1}>
        <div class="brand big">Emily</div>
        <h1 tabIndex={-1}>{signUp ? 'Create your account' : 'Sign in to your backoffice'}</h1>
        <p class="muted">{signUp ? 'Set up the AI chat widget for your website in a few minutes.' : 'Answer your visitors, shape your assistant, see how it is doing.'}</p>
        {refused && <Notice kind="warning">{refused}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        {info && <Notice kind="success">{info}</Notice>}
        <form onSubmit={submit} noValidate>
          <Field label="E-mail" id={emailId}>
            <input id={emailId} type="email" autocomplete="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </Field>
          <Field label="Password" id={passwordId} hint={signUp ? 'At least 8 characters.' : undefined}>
            <input id={passwordId} type="password" autocomplete={signUp ? 'new-password' : 'current-password'} required minLength={signUp ? 8 : undefined}
              aria-describedby={describedBy(passwordId, signUp)} value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </Field>
          <Button type="submit" variant="primary" busy={busy} class="wide">{signUp ? 'Create account' : 'Sign in'}</Button>
        </form>
        {!signUp && <p class="switch"><a href="#/forgot-password">Forgot your password?</a></p>}
        <p class="switch">
          {signUp ? <>Already have an account? <a href="#/sign-in">Sign in</a></> : <>New here? <a href="#/sign-up">Create an account</a></>}
        </p>
        {config.demoWebsiteId && !signUp && (
          <p class="hint demo-hint">Local stack: the seeded demo owner is <code>owner@demo.emily.local</code> with the password <code>emily-demo-owner</code>.</p>
        )}
      </main>
    </div>
  );
}
