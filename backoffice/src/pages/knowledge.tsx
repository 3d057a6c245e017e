// Knowledge: add sources, watch them being read (progress from the website topic, no polling),
// re-read or delete them, and try a question against what the assistant knows.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AddSource } from '../components/add-source.tsx';
import { TryQuestion } from '../components/try-question.tsx';
import { Badge, Button, ConfirmButton, Empty, Notice, ProgressBar, Spinner } from '../components/ui.tsx';
import { count, relativeTime } from '../lib/format.ts';
import { KnowledgeModel } from '../lib/knowledge-model.ts';
import { useObservable } from '../lib/observable.ts';
import type { KnowledgeSource } from '../lib/rows.ts';
import { useSite } from '../site.tsx';

const KIND_LABEL: Record<KnowledgeSource['kind'], string> = { text: 'Text', faq: 'Q&A', url: 'Web page', file: 'File' };
const STATUS: Record<KnowledgeSource['status'], { label: string; kind: 'grey' | 'blue' | 'green' | 'red' }> = {
  pending: { label: 'Waiting', kind: 'grey' },
  processing: { label: 'Reading', kind: 'blue' },
  ready: { label: 'Ready', kind: 'green' },
  failed: { label: 'Failed', kind: 'red' },
};

function SourceRow({ source, model }: { source: KnowledgeSource; model: KnowledgeModel }) {
  const [busy, setBusy] = useState<'reingest' | 'delete'>();
  const [error, setError] = useState<string>();
  const working = source.status === 'pending' || source.status === 'processing';
  const act = async (what: 'reingest' | 'delete') => {
    setBusy(what);
    setError(undefined);
    const failure = what === 'delete' ? await model.remove(source.id) : await model.reingest(source.id);
    setBusy(undefined);
    if (failure) setError(failure);
  };
  const url = source.url && /^https?:\/\//i.test(source.url) ? source.url : undefined;
  return (
    <li class="source" data-source={source.id} data-status={source.status}>
      <div class="source-main">
        <div class="source-title">
          <strong>{source.title}</strong> <Badge kind="neutral">{KIND_LABEL[source.kind]}</Badge> <Badge kind={STATUS[source.status].kind}>{STATUS[source.status].label}</Badge>
        </div>
        <div class="muted small">
          {url && <><a href={url} target="_blank" rel="noopener noreferrer">{url}</a> · </>}
          {source.status === 'ready' ? `${count(source.chunk_count, 'passage')} · ${count(source.char_count, 'character')}` : working ? 'Being read…' : ''}
          {' · added '}{relativeTime(source.created_at)}
        </div>
        {working && <ProgressBar value={source.progress} label={`Reading ${source.title}`} />}
        {source.status === 'failed' && <p class="field-error" role="alert">{source.error || 'Reading this source failed.'}</p>}
        {error && <Notice kind="error">{error}</Notice>}
      </div>
      <div class="source-actions">
        <Button variant="ghost" busy={busy === 'reingest'} disabled={working || !!busy} onClick={() => act('reingest')}
          title="Read the source again (e.g. after the page changed)">Re-read</Button>
        <ConfirmButton quiet label="Delete" question={`Delete “${source.title}”? The assistant forgets it.`} confirmLabel="Delete" busy={busy === 'delete'} onConfirm={() => act('delete')} />
      </div>
    </li>
  );
}

export function KnowledgePage() {
  const site = useSite();
  const model = useMemo(() => new KnowledgeModel(site.feed), [site.feed]);
  useObservable(model);
  useEffect(() => {
    void model.refresh();
    return () => model.stop();
  }, [model]);
  const sources = model.sources;
  const passages = sources.reduce((n, s) => n + (s.status === 'ready' ? s.chunk_count : 0), 0);
  return (
    <div class="page knowledge-page">
      <h1 tabIndex={-1}>Knowledge</h1>
      <p class="muted">What the assistant knows about {site.website.name}. It answers from these sources only, and cites them.</p>
      <div class="knowledge-grid">
        <div>
          <AddSource onAdd={(s) => model.add(s)} />
          <section class="card" aria-labelledby="sources-heading">
            <h2 id="sources-heading">Sources {sources.length > 0 && <span class="muted small">{count(sources.length, 'source')}, {count(passages, 'passage')}</span>}</h2>
            {model.error && <Notice kind="error">{model.error}</Notice>}
            {model.loading ? <Spinner label="Loading sources…" /> : sources.length === 0 ? (
              <Empty title="Nothing yet">Add your opening hours, prices, returns policy or FAQ above, or the address of a page on your site. The assistant starts using it as soon as it is read.</Empty>
            ) : (
              <ul class="sources" aria-label="Knowledge sources">
                {sources.map((s) => <SourceRow key={s.id} source={s} model={model} />)}
              </ul>
            )}
          </section>
        </div>
        <TryQuestion websiteId={site.website.id} />
      </div>
    </div>
  );
}
