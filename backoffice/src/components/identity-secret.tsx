// The identity-verification secret (owners only: RLS on website_secrets returns nothing to agents).
// A site signs each logged-in user's id with it (HMAC-SHA256) so the widget can prove who they are.
import { useEffect, useState } from 'preact/hooks';
import { restErrorText } from '../lib/errors.ts';
import { dateTime } from '../lib/format.ts';
import { supabase } from '../supabase.ts';
import { Button, ConfirmButton, CopyButton, Notice, Spinner } from './ui.tsx';

export function IdentitySecret({ websiteId }: { websiteId: string }) {
  const [secret, setSecret] = useState<{ identity_secret: string; rotated_at: string } | null>();
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<string>();
  const [rotating, setRotating] = useState(false);
  const [rotated, setRotated] = useState(false);

  useEffect(() => {
    void supabase.from('website_secrets').select('identity_secret,rotated_at').eq('website_id', websiteId).maybeSingle()
      .then(({ data, error: err }) => (err ? setError(restErrorText(err, 'Loading the secret')) : setSecret(data)));
  }, [websiteId]);

  const rotate = async () => {
    setRotating(true);
    setError(undefined);
    const { data, error: err } = await supabase.rpc('rotate_identity_secret', { site_id: websiteId });
    setRotating(false);
    if (err) return setError(restErrorText(err, 'Rotating the secret'));
    setSecret({ identity_secret: data as string, rotated_at: new Date().toISOString() });
    setRotated(true);
    setShown(true);
  };

  if (secret === undefined && !error) return <Spinner label="Loading the secret…" />;
  return (
    <div class="secret">
      {error && <Notice kind="error">{error}</Notice>}
      {rotated && <Notice kind="success">New secret created. Update it on your server: identities signed with the old one are no longer accepted.</Notice>}
      {secret && (
        <>
          <div class="secret-row">
            <code class="secret-value" aria-label="Identity secret">{shown ? secret.identity_secret : '•'.repeat(32)}</code>
            <Button variant="ghost" onClick={() => setShown(!shown)} aria-pressed={shown ? 'true' : 'false'}>{shown ? 'Hide' : 'Show'}</Button>
            <CopyButton text={secret.identity_secret} />
          </div>
          <p class="hint">Last changed {dateTime(secret.rotated_at)}. On your server: <code>user_hash = HMAC-SHA256(user id, secret)</code> in hex, then <code>EmilyChat.identify({'{'} userId, userHash {'}'})</code>.</p>
          <ConfirmButton label="Rotate secret" question="Replace the secret? Signed identities stop working until your server uses the new one." confirmLabel="Yes, rotate" onConfirm={rotate} busy={rotating} />
        </>
      )}
    </div>
  );
}
