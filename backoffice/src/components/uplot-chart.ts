// uPlot drawing, loaded only when the analytics page opens (it is the largest part of that page).
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  bars?: boolean;
}

export interface ChartSpec {
  /** Days as YYYY-MM-DD. */
  days: string[];
  series: ChartSeries[];
  format?: (v: number) => string;
}

const dayToSeconds = (day: string) => Date.parse(`${day}T12:00:00Z`) / 1000;

export function drawChart(target: HTMLElement, spec: ChartSpec, width: number): uPlot {
  const bars = uPlot.paths.bars!({ size: [0.6, 40] });
  const format = spec.format ?? ((v: number) => String(v));
  const options: uPlot.Options = {
    width,
    height: 220,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      { stroke: '#475569', grid: { show: false } },
      { stroke: '#475569', grid: { stroke: '#e2e8f0' }, values: (_u, ticks) => ticks.map(format), size: 60 },
    ],
    series: [
      { value: (_u, v) => (v == null ? '' : new Date(v * 1000).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' })) },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: s.bars ? `${s.color}cc` : undefined,
        paths: s.bars ? bars : undefined,
        points: { show: !s.bars && spec.days.length <= 31 },
        spanGaps: true,
        value: (_u: uPlot, v: number | null) => (v == null ? '—' : format(v)),
      })),
    ],
  };
  const data: uPlot.AlignedData = [spec.days.map(dayToSeconds), ...spec.series.map((s) => s.values)];
  return new uPlot(options, data, target);
}
