// The team of a website: everyone sees who is on it; owners invite people by e-mail (the `team`
// Edge Function: Supabase Auth e-mails a new address a link to join and choose a password; an
// existing account is added as it is), change roles and remove members. RLS on website_members
// allows those changes to owners only; a member may always leave.
import { useState } from 'preact/hooks';
import { Badge, Button, ConfirmButton, Field, Notice, useId } from '../components/ui.tsx';
import { functionErrorText, restErrorText } from '../lib/errors.ts';
import { dateTime } from '../lib/format.ts';
import type { Role, TeamMember } from '../lib/rows.ts';
import { navigate } from '../router.ts';
import { useSite } from '../site.tsx';
import { supabase } from '../supabase.ts';

interface Invited {
  member: TeamMember;
}

function InviteForm({ onInvited }: { onInvited: (r: Invited) => void }) {
  const site = useSite();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const ids = { email: useId('invite-email'), role: useId('invite-role') };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setError('Enter the e-mail address of the person to invite.');
    setBusy(true);
    const { data, error: err } = await supabase.functions.invoke('team', {
      body: { website_id: site.website.id, email: email.trim(), role },
    });
    setBusy(false);
    if (err) return setError(await functionErrorText(err));
    setEmail('');
    onInvited(data as Invited);
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <p class="muted">They get an e-mail with a link to join this website's team and choose their password. Someone who already has an account signs in with it as usual.</p>
      {error && <Notice kind="error">{error}</Notice>}
      <div class="row">
        <Field id={ids.email} label="E-mail">
          <input id={ids.email} type="email" autocomplete="off" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id={ids.role} label="Role">
          <select id={ids.role} value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
            <option value="agent">Agent: answers conversations, manages knowledge</option>
            <option value="owner">Owner: also settings, secret and team</option>
          </select>
        </Field>
      </div>
      <Button type="submit" variant="primary" busy={busy}>Invite</Button>
    </form>
  );
}

function MemberRow({ member }: { member: TeamMember }) {
  const site = useSite();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const self = member.user_id === site.me.id;
  // A website keeps at least one owner (a database trigger refuses otherwise): the last one cannot leave.
  const lastOwner = member.role === 'owner' && site.team.filter((m) => m.role === 'owner').length === 1;
  const change = async (run: () => PromiseLike<{ error: { code?: string; message: string } | null; count?: number | null }>, action: string) => {
    setBusy(true);
    setError(undefined);
    const { error: err, count } = await run();
    setBusy(false);
    if (err || count === 0) return setError(err ? restErrorText(err, action) : `${action} is not allowed for your role.`);
    if (self && action === 'Leaving') return navigate('#/', true);
    await site.reloadTeam();
  };
  const remove = () => change(() => supabase.from('website_members').delete({ count: 'exact' }).eq('website_id', site.website.id).eq('user_id', member.user_id), self ? 'Leaving' : 'Removing the member');
  const setRole = (role: Role) => change(() => supabase.from('website_members').update({ role }, { count: 'exact' }).eq('website_id', site.website.id).eq('user_id', member.user_id), 'Changing the role');
  return (
    <li class="member" data-email={member.email}>
      <div>
        <strong>{member.email}</strong>{self && <span class="muted"> (you)</span>}
        <div class="muted small">Since {dateTime(member.created_at)}</div>
        {error && <Notice kind="error">{error}</Notice>}
      </div>
      <div class="member-actions">
        {site.isOwner && !self ? (
          <select aria-label={`Role of ${member.email}`} value={member.role} disabled={busy} onChange={(e) => void setRole((e.target as HTMLSelectElement).value as Role)}>
            <option value="agent">Agent</option>
            <option value="owner">Owner</option>
          </select>
        ) : <Badge kind={member.role === 'owner' ? 'blue' : 'grey'}>{member.role === 'owner' ? 'Owner' : 'Agent'}</Badge>}
        {(site.isOwner || self) && !lastOwner && (
          <ConfirmButton quiet label={self ? 'Leave' : 'Remove'} busy={busy}
            question={self ? 'Leave this website? You lose access to it.' : `Remove ${member.email} from the team?`} onConfirm={remove} />
        )}
      </div>
    </li>
  );
}

export function TeamPage() {
  const site = useSite();
  const [invited, setInvited] = useState<Invited>();
  return (
    <div class="page narrow">
      <h1 tabIndex={-1}>Team</h1>
      <p class="muted">Owners manage settings, the identity secret and the team. Agents answer conversations and manage knowledge.</p>
      {invited && (
        <Notice kind="success" onClose={() => setInvited(undefined)}>
          Invitation sent to <strong>{invited.member.email}</strong>, who is now on the team as {invited.member.role}.
          <div class="hint">A new account's link works once and for a limited time; invite them again to send a new one.</div>
        </Notice>
      )}
      <section class="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <ul class="members" aria-label="Team members">
          {site.team.map((m) => <MemberRow key={m.user_id} member={m} />)}
        </ul>
      </section>
      {site.isOwner ? <InviteForm onInvited={(r) => { setInvited(r); void site.reloadTeam(); }} />
        : <Notice kind="info">Only owners can invite or remove people.</Notice>}
    </div>
  );
}
