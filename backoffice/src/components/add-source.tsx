// Adding knowledge: a text, a question and its answer, a web page (optionally the pages it links
// to on the same site) or a file (txt, md, html, pdf).
import { useRef, useState } from 'preact/hooks';
import type { NewSource } from '../lib/knowledge-model.ts';
import { Button, Field, Notice, useId } from './ui.tsx';

const KINDS = [
  { key: 'text', label: 'Text' },
  { key: 'faq', label: 'Question & answer' },
  { key: 'url', label: 'Web page' },
  { key: 'file', label: 'File' },
] as const;

type Kind = typeof KINDS[number]['key'];

export function AddSource({ onAdd }: { onAdd: (source: NewSource) => Promise<string | undefined> }) {
  const [kind, setKind] = useState<Kind>('text');
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [url, setUrl] = useState('');
  const [follow, setFollow] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [added, setAdded] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = { title: useId('k-title'), content: useId('k-content'), question: useId('k-q'), answer: useId('k-a'), url: useId('k-url'), follow: useId('k-follow'), file: useId('k-file') };

  const source = (): NewSource | string => {
    switch (kind) {
      case 'text':
        if (!content.trim()) return 'Write or paste the text the assistant should know.';
        return { kind, content, ...(title.trim() ? { title: title.trim() } : {}) };
      case 'faq':
        if (!question.trim() || !answer.trim()) return 'Fill in both the question and its answer.';
        return { kind, question, answer };
      case 'url':
        if (!/^https?:\/\/\S+$/i.test(url.trim())) return 'Enter a full address starting with https://';
        return { kind, url: url.trim(), follow_links: follow };
      case 'file':
        if (!file) return 'Choose a file (txt, md, html or pdf).';
        return { kind, file, ...(title.trim() ? { title: title.trim() } : {}) };
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setAdded(undefined);
    const s = source();
    if (typeof s === 'string') return setError(s);
    setBusy(true);
    const failure = await onAdd(s);
    setBusy(false);
    if (failure) return setError(failure);
    setAdded('Added. It is being read now; the list below shows its progress.');
    setTitle(''); setContent(''); setQuestion(''); setAnswer(''); setUrl(''); setFile(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <form class="card add-source" onSubmit={submit} noValidate aria-labelledby="add-source-heading">
      <h2 id="add-source-heading">Add knowledge</h2>
      <div class="tabs" role="group" aria-label="Kind of source">
        {KINDS.map((k) => (
          <button key={k.key} type="button" class={`chip${kind === k.key ? ' on' : ''}`} aria-pressed={kind === k.key ? 'true' : 'false'}
            onClick={() => { setKind(k.key); setError(undefined); }}>{k.label}</button>
        ))}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {added && <Notice kind="success">{added}</Notice>}
      {(kind === 'text' || kind === 'file') && (
        <Field id={ids.title} label="Title (optional)" hint="Shown as the source under answers.">
          <input id={ids.title} maxLength={300} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </Field>
      )}
      {kind === 'text' && (
        <Field id={ids.content} label="Text" hint="Opening hours, prices, policies… up to 60,000 characters.">
          <textarea id={ids.content} rows={6} maxLength={60000} value={content} onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)} />
        </Field>
      )}
      {kind === 'faq' && (
        <>
          <Field id={ids.question} label="Question">
            <input id={ids.question} maxLength={1000} value={question} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id={ids.answer} label="Answer">
            <textarea id={ids.answer} rows={4} maxLength={10000} value={answer} onInput={(e) => setAnswer((e.target as HTMLTextAreaElement).value)} />
          </Field>
        </>
      )}
      {kind === 'url' && (
        <>
          <Field id={ids.url} label="Address of the page">
            <input id={ids.url} type="url" placeholder="https://example.com/faq" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
          </Field>
          <label class="check" for={ids.follow}>
            <input id={ids.follow} type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} />
            Also read the pages it links to on the same site
          </label>
        </>
      )}
      {kind === 'file' && (
        <Field id={ids.file} label="File" hint="Text, Markdown, HTML or PDF, up to 5 MB.">
          <input id={ids.file} ref={fileInput} type="file" accept=".txt,.md,.markdown,.html,.htm,.pdf,text/plain,text/markdown,text/html,application/pdf"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </Field>
      )}
      <Button type="submit" variant="primary" busy={busy}>Add</Button>
    </form>
  );
}
