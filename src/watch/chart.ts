/**
 * The monthly review's chart: open vulnerabilities at the end of each of the last six months, stacked
 * by severity, drawn by Chart.js on @napi-rs/canvas (no browser) and returned as a PNG.
 */
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { SEVERITY_STYLE } from '../report/severity-style.js';

let registered = false;

export interface ChartPoint {
  /** Axis label, e.g. "Mar 2025". */
  label: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
}

/**
 * The chart's text (title, axes, legend) cannot be drawn: @napi-rs/canvas draws only with the
 * system's fonts, and it found none (a slim container image has none unless one is installed). Such
 * a chart would be bars without a single label, so it is not drawn at all.
 */
export class ChartTextUndrawable extends Error {
  constructor() {
    super('no font to draw the chart\'s text with (install one, e.g. Debian\'s fonts-dejavu-core)');
    this.name = 'ChartTextUndrawable';
  }
}

/** The font families canvas can draw with: the system's. */
export const systemFontFamilies = (): readonly string[] => GlobalFonts.families.map((f) => f.family);

export interface ChartOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Where the font families come from (tests pass none to stand for a host without fonts). */
  fontFamilies?: () => readonly string[];
}

/** The chart as a PNG; throws ChartTextUndrawable rather than drawing a chart without its labels. */
export function renderOpenVulnerabilityChart(points: ChartPoint[], options: ChartOptions = {}): Buffer {
  if ((options.fontFamilies ?? systemFontFamilies)().length === 0) throw new ChartTextUndrawable();
  if (!registered) {
    Chart.register(...registerables);
    registered = true;
  }
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  // A white background: Slack shows transparent PNGs on dark themes as black on black.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const levels = ['critical', 'high', 'medium', 'low'] as const;
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: points.map((p) => p.label),
      datasets: levels.map((level) => ({ label: SEVERITY_STYLE[level].label, data: points.map((p) => p[level]), backgroundColor: SEVERITY_STYLE[level].colour, stack: 'open' })),
    },
    options: {
      responsive: false,
      animation: false,
      plugins: { title: { display: true, text: options.title ?? 'Open vulnerabilities at month end' }, legend: { position: 'bottom' } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
  // Chart.js types its context as the DOM's; @napi-rs/canvas implements the same drawing API.
  const chart = new Chart(ctx as unknown as ConstructorParameters<typeof Chart<"bar">>[0], config);
  try {
    chart.draw();
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
