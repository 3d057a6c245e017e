// "Try a question": what the assistant would answer right now, and the passages it found.
import { useState } from 'preact/hooks';
import { type TryAnswer, tryQuestion } from '../lib/knowledge-model.ts';
import { Button, Field, Notice, useId } from './ui.tsx';

export function TryQuestion({ websiteId }: { websiteId: string }) {
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TryAnswer>();
  const [error, setError] = useState<string>();
  const id = useId('try');

  const ask = async (e: Event) => {
    e.preventDefault();
    if (!question.trim()) return setError('Type a question a visitor might ask.');
    setBusy(true);
    setError(undefined);
    const answer = await tryQuestion(websiteId, question.trim());
    setBusy(false);
    setResult(answer.result);
    setError(answer.error);
  };

  return (
    <section class="card try" aria-labelledby="try-heading">
      <h2 id="try-heading">Try a question</h2>
      <form onSubmit={ask} class="inline-form">
        <Field id={id} label="Question">
          <input id={id} value={question} maxLength={4000} placeholder="How much is a puncture repair?" onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
        </Field>
        <Button type="submit" variant="primary" busy={busy}>Ask</Button>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {result && (
        <div class="try-result" aria-live="polite">
          <h3>Answer</h3>
          <p class="answer">{result.answer.content || '(no answer)'}</p>
          <p class="hint engine">{engineNote(result.answer)}</p>
          {!result.answer.grounded && <p class="hint">The knowledge base had nothing on this: the assistant says so rather than guess.</p>}
          <h3>Passages it came from</h3>
          {result.passages.length === 0 ? <p class="muted">No passage matched. Add a source that answers it.</p> : (
            <ol class="passages">
              {result.passages.map((p) => (
                <li key={p.id}>
                  <div class="passage-head"><strong>{p.title}</strong> <span class="muted">score {p.score.toFixed(2)}</span></div>
                  <p>{p.content}</p>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}

/** Says honestly what wrote the answer: with no model configured, the offline engine only quotes. */
function engineNote(answer: TryAnswer['answer']): string {
  if (answer.engine === 'offline') {
    return 'Offline engine: no language model is configured (OPENAI_API_KEY), so the assistant quotes the sentences of your sources that best match the question.';
  }
  return `Written by the language model${answer.model ? ` ${answer.model}` : ''} from the passages below.`;
}
