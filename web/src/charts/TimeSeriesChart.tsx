import { BarChart, LineChart } from 'echarts/charts';
import {
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  ToolboxComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { barWidth, type Series } from './series';

// Only what the console draws: not the whole ECharts package.
echarts.use([
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  ToolboxComponent,
  AriaComponent,
  SVGRenderer,
]);

export type { Series };

const GRID = { left: 48, right: 24, top: 36, bottom: 36 };

/**
 * Bar widths follow the plot's width: set after every draw and resize. Then the drag-to-select
 * brush is armed again (setOption resets the cursor).
 */
function sizeBars(c: echarts.ECharts, host: HTMLElement | null, series: Series[]) {
  const width = barWidth(series, (host?.clientWidth ?? 0) - GRID.left - GRID.right);
  c.setOption({
    series: series.map((s) => (s.kind === 'bar' && width ? { barWidth: width, barMinWidth: width } : {})),
  });
  c.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: true });
}

export interface TimeSeriesChartProps {
  title: string;
  series: Series[];
  /** Called with the time window the admin selected by dragging across the chart. */
  onZoom: (fromMs: number, toMs: number) => void;
  height?: number;
}

/**
 * A time-series chart with GMS's zoom: drag across the plot to select a time window (ECharts'
 * toolbox data-zoom brush, kept armed), then the page reloads the report for that window. The
 * keyboard path is the labelled from/to inputs and the table beside the chart.
 */
export function TimeSeriesChart({ title, series, onZoom, height = 320 }: TimeSeriesChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const seriesRef = useRef(series);
  seriesRef.current = series;

  useEffect(() => {
    if (!host.current) return;
    const c = echarts.init(host.current, undefined, { renderer: 'svg' });
    chart.current = c;
    c.on('datazoom', (event: unknown) => {
      // The brush reports the selected window as axis values (startValue/endValue) in `batch`.
      const batch = (event as { batch?: { startValue?: number; endValue?: number }[] }).batch?.[0];
      if (batch?.startValue != null && batch.endValue != null && batch.endValue > batch.startValue)
        zoomRef.current(batch.startValue, batch.endValue);
    });
    const resize = new ResizeObserver(() => {
      c.resize();
      sizeBars(c, host.current, seriesRef.current);
    });
    resize.observe(host.current);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.setOption(
      {
        aria: {
          enabled: true,
          label: { description: `${title}: ${series.map((s) => s.name).join(', ')} over time.` },
        },
        animation: false,
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: GRID,
        toolbox: {
          show: true,
          right: 8,
          feature: { dataZoom: { yAxisIndex: 'none', title: { zoom: 'Select an area', back: 'Back' } } },
        },
        xAxis: { type: 'time' },
        yAxis: { type: 'value', minInterval: 1 },
        series: series.map((s) => ({ name: s.name, type: s.kind, data: s.points, showSymbol: false })),
      },
      true,
    );
    sizeBars(c, host.current, series);
  }, [series, title]);

  // ECharts labels the drawing itself (aria component); the figure names the whole chart.
  return (
    <figure className="chart-figure" aria-label={`${title} chart: drag across it to zoom into a time window`}>
      <div ref={host} className="chart" style={{ height }} />
    </figure>
  );
}
