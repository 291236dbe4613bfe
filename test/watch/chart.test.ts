import { describe, expect, it } from 'vitest';
import { ChartTextUndrawable, renderOpenVulnerabilityChart } from '../../src/watch/chart.js';

describe('open vulnerability chart', () => {
  it('renders a PNG of the requested size without a browser', () => {
    const png = renderOpenVulnerabilityChart(
      ['Oct 2024', 'Nov 2024', 'Dec 2024', 'Jan 2025', 'Feb 2025', 'Mar 2025'].map((label, i) => ({ label, critical: i % 2, high: i, medium: 2, low: 1 })),
      { width: 640, height: 320 },
    );
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, at bytes 16-23.
    expect(png.readUInt32BE(16)).toBe(640);
    expect(png.readUInt32BE(20)).toBe(320);
    expect(png.length).toBeGreaterThan(2000); // bars, axes and legend drawn, not an empty canvas
  });

  it('draws nothing rather than bars without a label when canvas has no font family', () => {
    const points = [{ label: 'Mar 2025', critical: 1, high: 0, medium: 0, low: 0 }];
    expect(() => renderOpenVulnerabilityChart(points, { fontFamilies: () => [] })).toThrow(ChartTextUndrawable);
  });
});
