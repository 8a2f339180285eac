/**
 * The geometry of a line chart of rates over dates, drawn as SVG on the server: the page's content
 * security policy allows no chart script, and an SVG needs none. A template draws what this
 * computes — axis ticks, one path per series, a point with its text per value. Shared by the
 * roles' pages (the DfE's dashboard, the LA's attendance); views/rate-chart.njk draws it.
 *
 * The y axis fits the values rather than running 0–100%: attendance moves within a few points,
 * which a full scale would flatten. Its ticks are round steps (1, 2 or 5 × 10ⁿ), so the
 * axis reads "92%, 93%, 94%", never "92.37%".
 */

/** "94.2%": a rate for a page, one decimal place; "–" when nothing was possible. */
export function formatRate(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)}%`;
}

export interface RateSeries {
  key: string;
  label: string;
  /** An SVG colour (presentation attribute: inline styles are not allowed by the CSP). */
  colour: string;
  /** One value per label, from 0 to 1; null where there is none (the line breaks there). */
  values: readonly (number | null)[];
}

export interface RateChartOptions {
  /** The x axis, in order (e.g. "20 Nov"). */
  labels: readonly string[];
  /** Longer names of the same points for their text (e.g. "20 November 2026"). */
  longLabels?: readonly string[];
  series: readonly RateSeries[];
  width?: number;
  height?: number;
  /** The smallest span of the y axis, so that a flat line does not fill the chart with noise. */
  minimumSpan?: number;
  /** At most this many x labels are shown (every other, every third… when there are more). */
  maximumXLabels?: number;
}

export interface ChartPoint {
  x: number;
  y: number;
  /** "20 November 2026: 94.2%" */
  text: string;
}

export interface RateChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
  lines: { key: string; label: string; colour: string; path: string; points: ChartPoint[] }[];
  /** False when no series has a value: the page says so instead of drawing empty axes. */
  hasData: boolean;
}

// The right margin leaves room for half of the newest date's label, centred on the last point.
const MARGIN = { left: 56, right: 32, top: 12, bottom: 36 };
const STEPS = [1, 2, 5, 10];

/** Round ticks covering [min, max] with about `target` intervals, kept within [0, 1]. */
export function rateTicks(min: number, max: number, target = 5, minimumSpan = 0.01): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || min > max)
    throw new RangeError(`Not a range of rates: ${min} to ${max}`);
  let low = min;
  let high = max;
  if (high - low < minimumSpan) {
    const middle = (low + high) / 2;
    low = middle - minimumSpan / 2;
    high = middle + minimumSpan / 2;
  }
  const rough = (high - low) / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = (STEPS.find((s) => s * magnitude >= rough * (1 - 1e-9)) ?? 10) * magnitude;
  // Whole multiples of the step, so floating point never shows as 0.9300000000000001.
  const first = Math.max(Math.floor(low / step + 1e-9), 0);
  const last = Math.min(Math.ceil(high / step - 1e-9), Math.round(1 / step));
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toFixed(10)));
  return ticks;
}

/** "92%" or "2.5%": as many decimals as the step needs. */
function tickLabel(value: number, step: number): string {
  const percentStep = Number((step * 100).toFixed(6));
  const decimals = Number.isInteger(percentStep) ? 0 : Number.isInteger(percentStep * 10) ? 1 : 2;
  return `${(value * 100).toFixed(decimals)}%`;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function rateChart(options: RateChartOptions): RateChart {
  const width = options.width ?? 640;
  const height = options.height ?? 240;
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: width - MARGIN.right,
    bottom: height - MARGIN.bottom,
  };
  const count = options.labels.length;
  for (const series of options.series)
    if (series.values.length !== count)
      throw new RangeError(`Series ${series.key} has ${series.values.length} values for ${count} labels`);

  const values = options.series.flatMap((series) => series.values.filter((v): v is number => v !== null));
  if (values.length === 0) return { width, height, plot, yTicks: [], xTicks: [], lines: [], hasData: false };

  const ticks = rateTicks(Math.min(...values), Math.max(...values), 5, options.minimumSpan ?? 0.01);
  const low = ticks[0]!;
  const high = ticks[ticks.length - 1]!;
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 0.01;
  const yOf = (value: number) => plot.bottom - ((value - low) / (high - low)) * (plot.bottom - plot.top);
  const xOf = (index: number) =>
    count === 1 ? (plot.left + plot.right) / 2 : plot.left + (index * (plot.right - plot.left)) / (count - 1);

  const every = Math.max(1, Math.ceil(count / (options.maximumXLabels ?? 10)));
  const xTicks = options.labels.flatMap((label, index) =>
    // Counted from the newest point, so the latest date is always labelled.
    (count - 1 - index) % every === 0 ? [{ x: round(xOf(index)), label }] : [],
  );

  const lines = options.series.map((series) => {
    const points: ChartPoint[] = [];
    // Runs of consecutive values; a null ends one, so the line breaks instead of bridging the gap.
    const runs: string[][] = [];
    let run: string[] | undefined;
    series.values.forEach((value, index) => {
      if (value === null) {
        run = undefined;
        return;
      }
      const x = round(xOf(index));
      const y = round(yOf(value));
      if (!run) runs.push((run = []));
      run.push(`${x} ${y}`);
      const name = options.longLabels?.[index] ?? options.labels[index] ?? '';
      points.push({ x, y, text: `${name}: ${series.label} ${formatRate(value)}` });
    });
    const path = runs.map((coordinates) => `M${coordinates.join(' L')}`).join(' ');
    return { key: series.key, label: series.label, colour: series.colour, path, points };
  });

  return {
    width,
    height,
    plot,
    yTicks: ticks.map((tick) => ({ y: round(yOf(tick)), label: tickLabel(tick, step) })),
    xTicks,
    lines,
    hasData: true,
  };
}
