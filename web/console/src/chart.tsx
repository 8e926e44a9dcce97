/**
 * A time-series line chart on ECharts, with only the parts the console uses (tree-shaken: the line
 * chart, its grid, axes, tooltip, legend, the ARIA description and the canvas renderer). The chart
 * describes itself to screen readers (`aria`); the page shows the same figures as text beside it.
 */
import { useEffect, useRef } from 'react';
import { LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export interface Series {
  name: string;
  points: Array<[string, number]>;
}

interface Props {
  series: Series[];
  label: string;
  /** The window shown (ISO times), so the time axis is drawn even before any point. */
  range?: readonly [string, string];
}

export function TimeChart({ series, label, range }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | undefined>(undefined);
  useEffect(() => {
    if (el.current === null) return undefined;
    const c = init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      c.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(
      {
        aria: { enabled: true, label: { description: label } },
        animation: false,
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 32, bottom: 32 },
        xAxis: { type: 'time', ...(range === undefined ? {} : { min: range[0], max: range[1] }) },
        yAxis: { type: 'value', minInterval: 1 },
        series: series.map((s) => ({ name: s.name, type: 'line', showSymbol: false, data: s.points })),
      },
      true,
    );
  }, [series, label, range]);
  return <div ref={el} className="chart" role="img" aria-label={label} />;
}
