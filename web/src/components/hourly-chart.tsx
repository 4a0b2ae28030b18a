import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HourlyOperations } from '../api/types';

/**
 * Operations finished per hour (bars) and their duration percentiles (lines, right axis), last
 * 24 hours. The same figures are in the table beside it for anyone who cannot read a chart.
 */
export function HourlyChart({ hours }: { hours: readonly HourlyOperations[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const data: uPlot.AlignedData = [
      hours.map((h) => h.hourStart / 1000),
      hours.map((h) => h.finished),
      hours.map((h) => h.p50Ms),
      hours.map((h) => h.p95Ms),
      hours.map((h) => h.p99Ms),
    ];
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        scales: { x: { time: true }, count: { auto: true }, ms: { auto: true } },
        axes: [
          {},
          { scale: 'count', label: 'operations' },
          {
            scale: 'ms',
            side: 1,
            label: 'duration',
            values: (_u, ticks) => ticks.map(shortMs),
            grid: { show: false },
          },
        ],
        series: [
          {},
          {
            label: 'finished',
            scale: 'count',
            fill: 'rgba(37,99,235,0.35)',
            stroke: '#2563eb',
            ...(bars ? { paths: bars } : {}),
          },
          { label: 'p50', scale: 'ms', stroke: '#16a34a', width: 2, value: (_u, v) => shortMs(v) },
          { label: 'p95', scale: 'ms', stroke: '#d97706', width: 2, value: (_u, v) => shortMs(v) },
          {
            label: 'p99',
            scale: 'ms',
            stroke: '#dc2626',
            width: 2,
            dash: [4, 4],
            value: (_u, v) => shortMs(v),
          },
        ],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [hours]);
  return (
    <div
      ref={box}
      className="chart"
      role="img"
      aria-label="Operations per hour and their duration percentiles, last 24 hours"
    />
  );
}

function shortMs(value: number | null): string {
  if (value === null || value === undefined) return '—';
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 120_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value / 60_000)} min`;
}
