// A chart (uPlot, fetched on first use) with its numbers also as a table for screen readers.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChartSpec } from './uplot-chart.ts';

export function Chart({ title, spec, summary }: { title: string; spec: ChartSpec; summary: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const key = JSON.stringify(spec.days) + JSON.stringify(spec.series);
  useEffect(() => {
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    import('./uplot-chart.ts').then(({ drawChart }) => {
      const el = box.current;
      if (cancelled || !el) return;
      plot = drawChart(el, spec, Math.max(240, el.clientWidth));
      observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(240, el.clientWidth), height: 220 }));
      observer.observe(el);
    }).catch(() => setFailed(true));
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [key]);
  const format = spec.format ?? String;
  return (
    <figure class="chart card">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" role="img" aria-label={`${title}: ${summary}`} />
      {failed && <p class="field-error">The chart could not be drawn; the figures are in the table.</p>}
      <details class="chart-table">
        <summary>Show the figures</summary>
        <table>
          <thead><tr><th scope="col">Day</th>{spec.series.map((s) => <th key={s.label} scope="col">{s.label}</th>)}</tr></thead>
          <tbody>
            {spec.days.map((d, i) => (
              <tr key={d}><th scope="row">{d}</th>{spec.series.map((s) => <td key={s.label}>{s.values[i] == null ? '—' : format(s.values[i]!)}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
