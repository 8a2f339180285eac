import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rateChart, rateTicks } from './rate-chart.ts';

describe('rate ticks', () => {
  test('round steps covering the values, not the whole 0–100%', () => {
    assert.deepEqual(rateTicks(0.923, 0.951), [0.92, 0.93, 0.94, 0.95, 0.96]);
    assert.deepEqual(rateTicks(0.931, 0.942), [0.93, 0.935, 0.94, 0.945]);
    assert.deepEqual(rateTicks(0.02, 0.061), [0.02, 0.03, 0.04, 0.05, 0.06, 0.07]);
  });

  test('a flat series is widened to the minimum span around its value', () => {
    assert.deepEqual(rateTicks(0.5, 0.5, 5, 0.01), [0.494, 0.496, 0.498, 0.5, 0.502, 0.504, 0.506]);
  });

  test('never below 0 nor above 100%', () => {
    const low = rateTicks(0, 0.003);
    assert.equal(low[0], 0);
    const high = rateTicks(0.997, 1);
    assert.equal(high[high.length - 1], 1);
  });

  test('a reversed or non-finite range is refused', () => {
    assert.throws(() => rateTicks(0.9, 0.8), RangeError);
    assert.throws(() => rateTicks(Number.NaN, 0.8), RangeError);
  });
});

describe('rate chart', () => {
  const labels = ['16 Nov', '17 Nov', '18 Nov', '19 Nov', '20 Nov'];

  test('points are spread evenly across the plot and placed by value on the ticks’ scale', () => {
    const chart = rateChart({
      labels,
      series: [{ key: 'a', label: 'Attendance', colour: '#1d70b8', values: [0.92, 0.93, 0.94, 0.95, 0.96] }],
      width: 456,
      height: 248,
    });
    // plot: x 56–424, y 12–212; ticks 0.92…0.96 by 0.01.
    assert.deepEqual(chart.plot, { left: 56, top: 12, right: 424, bottom: 212 });
    assert.deepEqual(
      chart.yTicks.map((tick) => tick.label),
      ['92%', '93%', '94%', '95%', '96%'],
    );
    assert.deepEqual(
      chart.yTicks.map((tick) => tick.y),
      [212, 162, 112, 62, 12],
    );
    const [line] = chart.lines;
    assert.equal(line?.path, 'M56 212 L148 162 L240 112 L332 62 L424 12');
    assert.equal(line?.points[2]?.text, '18 Nov: Attendance 94.0%');
    assert.deepEqual(
      chart.xTicks.map((tick) => [tick.x, tick.label]),
      labels.map((label, i) => [56 + i * 92, label]),
    );
    assert.equal(chart.hasData, true);
  });

  test('a missing value breaks the line rather than bridging the gap; long labels name the points', () => {
    const chart = rateChart({
      labels,
      longLabels: labels.map((label) => `${label} 2026`),
      series: [
        { key: 'u', label: 'Unauthorised', colour: '#d4351c', values: [0.02, null, 0.03, 0.04, null] },
      ],
    });
    const path = chart.lines[0]!.path;
    assert.equal(path.match(/M/g)?.length, 2);
    assert.equal(path.match(/L/g)?.length, 1);
    assert.deepEqual(
      chart.lines[0]!.points.map((point) => point.text),
      ['16 Nov 2026: Unauthorised 2.0%', '18 Nov 2026: Unauthorised 3.0%', '19 Nov 2026: Unauthorised 4.0%'],
    );
  });

  test('with many dates, every other label is shown, always the newest', () => {
    const many = Array.from({ length: 20 }, (_, i) => `d${i + 1}`);
    const chart = rateChart({
      labels: many,
      series: [{ key: 'a', label: 'A', colour: '#000', values: many.map(() => 0.9) }],
      maximumXLabels: 10,
    });
    assert.equal(chart.xTicks.length, 10);
    assert.equal(chart.xTicks.at(-1)?.label, 'd20');
    assert.equal(chart.xTicks[0]?.label, 'd2');
  });

  test('a single date sits in the middle; no values at all means no data', () => {
    const one = rateChart({
      labels: ['20 Nov'],
      series: [{ key: 'a', label: 'A', colour: '#000', values: [0.9] }],
      width: 456,
    });
    assert.equal(one.lines[0]?.path, `M240 ${one.lines[0]?.points[0]?.y}`);
    const none = rateChart({ labels: [], series: [{ key: 'a', label: 'A', colour: '#000', values: [] }] });
    assert.equal(none.hasData, false);
    assert.deepEqual(none.lines, []);
  });

  test('a series with the wrong number of values is a programming error', () => {
    assert.throws(
      () => rateChart({ labels, series: [{ key: 'a', label: 'A', colour: '#000', values: [0.9] }] }),
      RangeError,
    );
  });
});
