// Website settings with the live preview of the real widget, the embed snippet, the identity
// secret (owners) and deleting the website (owners). Agents see the settings read-only: RLS lets
// owners alone change them, so the form is disabled rather than failing on save.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { EmbedSnippet } from '../components/embed-snippet.tsx';
import { IdentitySecret } from '../components/identity-secret.tsx';
import { Button, describedBy, Field, Notice, useId } from '../components/ui.tsx';
import { WidgetPreview } from '../components/widget-preview.tsx';
import { restErrorText } from '../lib/errors.ts';
import type { Website } from '../lib/rows.ts';
import { type Draft, draftOf, type Editable, LANGUAGES, LIMITS, patchOf, STYLES, validate } from '../lib/settings-form.ts';
import { navigate } from '../router.ts';
import { useSite } from '../site.tsx';
import { supabase } from '../supabase.ts';
import type { PageProps } from './registry.tsx';

function Counter({ value, max }: { value: string; max: number }) {
  return <span class={`counter${value.length > max ? ' over' : ''}`}>{value.length}/{max}</span>;
}

function Section({ title, id, children, description }: { title: string; id: string; children: ComponentChildren; description?: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {description && <p class="muted">{description}</p>}
      {children}
    </section>
  );
}

function DeleteWebsite({ website }: { website: Website }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId('delete-confirm');
  const remove = async () => {
    setBusy(true);
    const { error: err, count } = await supabase.from('websites').delete({ count: 'exact' }).eq('id', website.id);
    setBusy(false);
    if (err || !count) return setError(err ? restErrorText(err, 'Deleting the website') : 'Only owners can delete this website.');
    navigate('#/', true);
  };
  return (
    <>
      {error && <Notice kind="error">{error}</Notice>}
      <Field id={id} label={<>Type <strong>{website.name}</strong> to confirm</>}>
        <input id={id} value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} autocomplete="off" />
      </Field>
      <Button variant="danger" busy={busy} disabled={typed.trim() !== website.name} onClick={remove}>Delete this website and all its conversations</Button>
    </>
  );
}

export function SettingsPage({ route }: PageProps) {
  const site = useSite();
  const { website, isOwner } = site;
  const [draft, setDraft] = useState<Draft>(() => draftOf(website));
  const [errors, setErrors] = useState<Partial<Record<Editable, string>>>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(draftOf(website)), [website.id]);

  const ids = Object.fromEntries(['name', 'domain', 'color', 'colorText', 'style', 'position', 'welcome', 'placeholder', 'offline', 'domains', 'ai', 'instructions', 'language']
    .map((k) => [k, useId(`settings-${k}`)])) as Record<string, string>;
  const dirty = JSON.stringify(patchOf(draft)) !== JSON.stringify(patchOf(draftOf(website)));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSaved(false);
  };
  const text = (key: keyof Draft) => (e: Event) => set(key, (e.target as HTMLInputElement).value as never);

  const save = async (e: Event) => {
    e.preventDefault();
    const problems = validate(draft);
    setErrors(problems);
    setSaveError(undefined);
    if (Object.keys(problems).length) return setSaveError('Some settings need fixing; see the messages below each field.');
    setSaving(true);
    const { data, error } = await supabase.from('websites').update(patchOf(draft)).eq('id', website.id).select().maybeSingle();
    setSaving(false);
    if (error) return setSaveError(restErrorText(error, 'Saving'));
    if (!data) return setSaveError('Only the website\'s owners can change its settings.');
    site.setWebsite(data as Website);
    setDraft(draftOf(data as Website));
    setSaved(true);
  };

  const previewColor = /^#[0-9a-fA-F]{6}$/.test(draft.primary_color) ? draft.primary_color : website.primary_color;
  return (
    <div class="page settings-page">
      <h1 tabIndex={-1}>Settings</h1>
      {route.query.get('created') && <Notice kind="success">Website created. Paste the snippet below into your pages, then add what the assistant should know under Knowledge.</Notice>}
      {!isOwner && <Notice kind="info">You are an agent on this website: only its owners can change these settings, see the identity secret and manage the team.</Notice>}
      <div class="settings-grid">
        <form class="settings-form" onSubmit={save} noValidate>
          {saveError && <Notice kind="error">{saveError}</Notice>}
          {saved && !dirty && <Notice kind="success">Saved. Visitors get the new settings on their next page view.</Notice>}
          <fieldset disabled={!isOwner} class="plain">
            <legend class="visually-hidden">Website settings</legend>
            <Section title="Website" id="s-website">
              <Field id={ids.name} label="Name" hint="Shown as the title of the chat." error={errors.name}>
                <input id={ids.name} value={draft.name} maxLength={LIMITS.name} onInput={text('name')} aria-describedby={describedBy(ids.name, true, errors.name)} />
              </Field>
              <Field id={ids.domain} label="Main domain" hint="For your reference, e.g. shop.example.com." error={errors.domain}>
                <input id={ids.domain} value={draft.domain ?? ''} maxLength={LIMITS.domain} onInput={text('domain')} aria-describedby={describedBy(ids.domain, true, errors.domain)} />
              </Field>
              <Field id={ids.domains} label="Allowed domains" error={errors.allowed_domains}
                hint="One per line. Only pages on these hosts may use the widget (*.example.com for subdomains). Leave empty to allow any site.">
                <textarea id={ids.domains} rows={3} value={draft.allowed_domains_text} onInput={text('allowed_domains_text')}
                  aria-describedby={describedBy(ids.domains, true, errors.allowed_domains)} />
              </Field>
            </Section>
            <Section title="Appearance" id="s-appearance">
              <div class="row">
                <Field id={ids.color} label="Colour" error={errors.primary_color}>
                  <span class="color-pick">
                    <input id={ids.color} type="color" value={previewColor} onInput={text('primary_color')} />
                    <input id={ids.colorText} aria-label="Colour as hex code" class="hex" value={draft.primary_color} maxLength={7} onInput={text('primary_color')} />
                  </span>
                </Field>
                <Field id={ids.style} label="Style" error={errors.widget_style}>
                  <select id={ids.style} value={draft.widget_style} onChange={text('widget_style')}>
                    {STYLES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
                    {!STYLES.some((s) => s.value === draft.widget_style) && <option value={draft.widget_style}>{draft.widget_style}</option>}
                  </select>
                </Field>
                <fieldset class="field radios">
                  <legend>Position</legend>
                  {(['right', 'left'] as const).map((p) => (
                    <label key={p} class="check">
                      <input type="radio" name="launcher_position" value={p} checked={draft.launcher_position === p} onChange={() => set('launcher_position', p)} />
                      Bottom {p}
                    </label>
                  ))}
                </fieldset>
              </div>
            </Section>
            <Section title="Messages" id="s-messages">
              <Field id={ids.welcome} label={<>Welcome message <Counter value={draft.welcome_message} max={LIMITS.welcome_message} /></>} hint="The first thing visitors read when they open the chat." error={errors.welcome_message}>
                <textarea id={ids.welcome} rows={2} value={draft.welcome_message} onInput={text('welcome_message')} aria-describedby={describedBy(ids.welcome, true, errors.welcome_message)} />
              </Field>
              <Field id={ids.placeholder} label={<>Input placeholder <Counter value={draft.input_placeholder} max={LIMITS.input_placeholder} /></>} error={errors.input_placeholder}>
                <input id={ids.placeholder} value={draft.input_placeholder} onInput={text('input_placeholder')} />
              </Field>
              <Field id={ids.offline} label={<>Offline message <Counter value={draft.offline_message} max={LIMITS.offline_message} /></>} hint="Shown when the AI is off and nobody has answered yet." error={errors.offline_message}>
                <textarea id={ids.offline} rows={2} value={draft.offline_message} onInput={text('offline_message')} aria-describedby={describedBy(ids.offline, true, errors.offline_message)} />
              </Field>
            </Section>
            <Section title="AI assistant" id="s-ai">
              <label class="check switch-row" for={ids.ai}>
                <input id={ids.ai} type="checkbox" checked={draft.ai_enabled} onChange={(e) => set('ai_enabled', (e.target as HTMLInputElement).checked)} />
                The AI answers visitors {draft.ai_enabled ? '(on)' : '(off: every conversation waits for your team)'}
              </label>
              <Field id={ids.instructions} label={<>Instructions for the AI <Counter value={draft.ai_instructions} max={LIMITS.ai_instructions} /></>}
                hint="Tone, what to offer, what never to say. Never shown to visitors." error={errors.ai_instructions}>
                <textarea id={ids.instructions} rows={5} value={draft.ai_instructions} onInput={text('ai_instructions')} aria-describedby={describedBy(ids.instructions, true, errors.ai_instructions)} />
              </Field>
              <Field id={ids.language} label="Language of the knowledge base" hint="Used to match questions to your knowledge (word forms, stop words). Answers follow the visitor's language." error={errors.language}>
                <select id={ids.language} value={draft.language} onChange={text('language')}>
                  {LANGUAGES.map((l) => <option key={l} value={l}>{l === 'simple' ? 'Other / mixed (no stemming)' : l[0].toUpperCase() + l.slice(1)}</option>)}
                </select>
              </Field>
            </Section>
          </fieldset>
          {isOwner && (
            <div class="sticky-actions">
              <Button type="submit" variant="primary" busy={saving} disabled={!dirty}>Save changes</Button>
              <Button variant="ghost" disabled={!dirty || saving} onClick={() => { setDraft(draftOf(website)); setErrors({}); setSaveError(undefined); }}>Discard</Button>
              {dirty && <span class="muted" role="status">Unsaved changes</span>}
            </div>
          )}
        </form>
        <div class="settings-side">
          <Section title="Live preview" id="s-preview">
            <WidgetPreview aiEnabled={draft.ai_enabled} website={{
              id: website.id, name: draft.name.trim() || website.name, primary_color: previewColor, widget_style: draft.widget_style,
              welcome_message: draft.welcome_message, input_placeholder: draft.input_placeholder, offline_message: draft.offline_message,
              launcher_position: draft.launcher_position, language: draft.language,
            }} />
          </Section>
          <Section title="Embed snippet" id="s-embed" description="Paste these two lines before </body> on every page where the chat should appear.">
            <EmbedSnippet websiteId={website.id} />
          </Section>
          <Section title="Identity verification" id="s-secret" description="Lets the widget know which of your logged-in users a visitor is.">
            {isOwner ? <IdentitySecret websiteId={website.id} /> : <p class="muted">Only owners can see the identity secret.</p>}
          </Section>
          {isOwner && (
            <Section title="Delete website" id="s-delete" description="Removes the website, its conversations, visitors and knowledge for good.">
              <DeleteWebsite website={website} />
            </Section>
          )}
        </div>
      </div>
    </div>
  );
}
