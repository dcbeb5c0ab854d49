// lib/shape.ts against numbers worked out by hand. The sweeps and the float64 oracle
// (suite/reference.ts) take their window geometry from lib/shape.ts, so these cases are what
// checks that geometry itself: dilation, strides past the window, odd 'same' totals, and windows
// that dilation steps over every real cell with.
import { expect } from 'chai';
import { firstEmptyWindow, outputExtent, resolveWindow, samePads, windowOutput } from '../lib/shape';

describe('lib/shape.ts against hand-derived numbers', () => {
  it("samePads: ceil(in / stride) outputs, the odd cell at the end", () => {
    // [in, k, stride, dilation] -> [begin, end]
    const cases: Array<[number[], [number, number]]> = [
      [[4, 2, 1, 1], [0, 1]], // out 4: 3 + 2 - 4 = 1
      [[7, 3, 2, 1], [1, 1]], // out 4: 6 + 3 - 7 = 2
      [[8, 3, 2, 1], [0, 1]], // out 4: 6 + 3 - 8 = 1
      [[5, 3, 1, 2], [2, 2]], // effective 5, out 5: 4 + 5 - 5 = 4
      [[6, 2, 1, 3], [1, 2]], // effective 4, out 6: 5 + 4 - 6 = 3
      [[5, 1, 3, 1], [0, 0]], // out 2: 3 + 1 - 5 < 0
      [[1, 4, 1, 2], [3, 3]], // effective 7, out 1: 0 + 7 - 1 = 6
      [[9, 4, 3, 1], [0, 1]], // out 3: 6 + 4 - 9 = 1
    ];
    for (const [[size, k, s, d], pads] of cases) expect(samePads(size, k, s, d), `${[size, k, s, d]}`).to.deep.equal(pads);
  });

  it('outputExtent: floor((in + pads - effective kernel) / stride) + 1, 0 when nothing fits', () => {
    // [in, k, stride, dilation, padBegin, padEnd] -> out
    const cases: Array<[number[], number]> = [
      [[32, 3, 2, 1, 1, 1], 16], // (34 - 3) / 2 = 15.5
      [[7, 3, 1, 2, 0, 0], 3], // effective 5
      [[11, 3, 2, 2, 1, 2], 5], // (14 - 5) / 2 = 4.5
      [[5, 5, 1, 1, 0, 0], 1],
      [[4, 2, 3, 1, 0, 0], 1], // (4 - 2) / 3 = 0.67
      [[2, 4, 1, 2, 0, 0], 0], // effective 7 over 2 cells
    ];
    for (const [[size, k, s, d, p0, p1], out] of cases) expect(outputExtent(size, k, s, d, p0, p1), `${[size, k, s, d, p0, p1]}`).to.equal(out);
  });

  it("resolveWindow and windowOutput: 3x3 stride 2 'same' over 7x8, and a window that does not fit", () => {
    const win = resolveWindow([3, 3], [2, 2], [1, 1], 'same', 7, 8);
    expect([win.pt, win.pb, win.pl, win.pr]).to.deep.equal([1, 1, 0, 1]);
    expect(windowOutput('Conv2D', win, 7, 8)).to.deep.equal([4, 4]);
    const dilated = resolveWindow([4, 4], [1, 1], [2, 2], 'valid', 2, 2);
    expect(() => windowOutput('MaxPool2D', dilated, 2, 2)).to.throw(RangeError, /MaxPool2D output .* gives 0x0/);
  });

  it('firstEmptyWindow: the first output whose taps all land in the padding, -1 when none', () => {
    // [in, k, stride, dilation, padBegin, out] -> first empty output
    const cases: Array<[number[], number]> = [
      [[1, 4, 2, 2, 3, 2], 0], // taps -3, -1, 1, 3 miss the one cell
      [[4, 2, 1, 1, 3, 6], 0], // taps -3, -2
      [[3, 2, 1, 1, 0, 4], 3], // output 3 reads cells 3 and 4 (end padding 2)
      [[2, 2, 1, 3, 1, 2], 0], // taps -1 and 2 step over cells 0 and 1
      [[5, 3, 2, 1, 1, 3], -1], // taps -1..1, 1..3, 3..5
    ];
    for (const [[size, k, s, d, p0, out], first] of cases) expect(firstEmptyWindow(size, k, s, d, p0, out), `${[size, k, s, d, p0, out]}`).to.equal(first);
  });
});
