// The home screen: the websites the member works on (RLS shows only those) and a form to create
// one; the creator becomes its owner (a database trigger) and lands on its settings.
import { useEffect, useState } from 'preact/hooks';
import { Badge, Button, Empty, Field, Notice, Spinner, useId } from '../components/ui.tsx';
import { useTitle } from '../lib/attention.ts';
import { restErrorText } from '../lib/errors.ts';
import type { Role, Website } from '../lib/rows.ts';
import { href, navigate } from '../router.ts';
import type { Me } from '../site.tsx';
import { supabase } from '../supabase.ts';

interface Listed {
  website: Pick<Website, 'id' | 'name' | 'domain' | 'primary_color' | 'ai_enabled'>;
  role: Role;
}

export function WebsitesPage({ me }: { me: Me }) {
  useTitle('Websites');
  const [list, setList] = useState<Listed[]>();
  const [error, setError] = useState<string>();
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string>();
  const nameId = useId('site-name');
  const domainId = useId('site-domain');

  useEffect(() => {
    void (async () => {
      const [websites, roles] = await Promise.all([
        supabase.from('websites').select('id,name,domain,primary_color,ai_enabled').order('created_at', { ascending: true }),
        supabase.from('website_members').select('website_id,role').eq('user_id', me.id),
      ]);
      const failure = websites.error ?? roles.error;
      if (failure) return setError(restErrorText(failure, 'Loading your websites'));
      const role = new Map((roles.data as Array<{ website_id: string; role: Role }>).map((r) => [r.website_id, r.role]));
      setList((websites.data as Listed['website'][]).filter((w) => role.has(w.id)).map((w) => ({ website: w, role: role.get(w.id)! })));
    })();
  }, [me.id]);

  const create = async (e: Event) => {
    e.preventDefault();
    setCreateError(undefined);
    if (!name.trim()) return setCreateError('Give the website a name, such as your shop\'s.');
    setCreating(true);
    const { data, error: err } = await supabase.from('websites')
      .insert({ name: name.trim(), domain: domain.trim() || null }).select('id').single();
    setCreating(false);
    if (err) return setCreateError(restErrorText(err, 'Creating the website'));
    navigate(href(['w', data.id, 'settings'], { created: '1' }));
  };

  return (
    <section class="page narrow">
      <h1 tabIndex={-1}>Your websites</h1>
      {error && <Notice kind="error">{error}</Notice>}
      {!list && !error && <Spinner label="Loading your websites…" />}
      {list && list.length === 0 && (
        <Empty title="No website yet">Create your first website below: you will get the two lines to paste into your pages, and the assistant starts answering.</Empty>
      )}
      {list && list.length > 0 && (
        <ul class="site-list">
          {list.map(({ website, role }) => (
            <li key={website.id}>
              <a class="site-card" href={href(['w', website.id, 'inbox'])}>
                <span class="swatch" style={{ background: website.primary_color }} aria-hidden="true" />
                <span class="site-name">{website.name}</span>
                <span class="muted">{website.domain ?? 'No domain set'}</span>
                <Badge kind={role === 'owner' ? 'blue' : 'grey'}>{role === 'owner' ? 'Owner' : 'Agent'}</Badge>
                {!website.ai_enabled && <Badge kind="amber">AI off</Badge>}
              </a>
            </li>
          ))}
        </ul>
      )}
      <form class="card" onSubmit={create} noValidate aria-labelledby="create-site">
        <h2 id="create-site">Create a website</h2>
        {createError && <Notice kind="error">{createError}</Notice>}
        <div class="row">
          <Field label="Name" id={nameId}>
            <input id={nameId} maxLength={100} required placeholder="Northside Cycles" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </Field>
          <Field label="Domain (optional)" id={domainId}>
            <input id={domainId} maxLength={253} placeholder="shop.example.com" value={domain} onInput={(e) => setDomain((e.target as HTMLInputElement).value)} />
          </Field>
        </div>
        <Button type="submit" variant="primary" busy={creating}>Create website</Button>
      </form>
    </section>
  );
}
