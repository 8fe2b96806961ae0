import assert from "node:assert/strict";
import {test} from "node:test";

import {canvasGlyph, canvasPath, checkPayloadSymbols, markerReach, markerShape, precisionDrawing, setSymbols, svgPath}
  from "../../geo/mapping/static/src/symbols.js";

const S = 0.89;
const MARKERS = {circle: {kind: "circle"}, square: {kind: "polygon", points: [[-S, -S], [S, -S], [S, S], [-S, S]]}};

function recorder() {
  const calls = [];
  return {calls, arc: (...a) => calls.push(["arc", ...a]), moveTo: (...a) => calls.push(["M", ...a]),
    lineTo: (...a) => calls.push(["L", ...a]), closePath: () => calls.push(["Z"])};
}

test("markers are drawn from their data, on canvas and in SVG", () => {
  setSymbols({markers: MARKERS, precision: {}});
  assert.equal(svgPath("circle", 9, 8, 5), "M4 8a5 5 0 1 0 10 0a5 5 0 1 0 -10 0");
  assert.equal(svgPath("square", 0, 0, 10), "M-8.9 -8.9L8.9 -8.9L8.9 8.9L-8.9 8.9z");
  const ctx = recorder();
  canvasPath(ctx, "square", 0, 0, 10);
  assert.deepEqual(ctx.calls.map((c) => c[0]), ["M", "L", "L", "L", "Z"]);
});

test("a new shape needs only its entry in the data", () => {
  const pentagon = {kind: "polygon", points: [0, 1, 2, 3, 4].map((k) => [Math.sin(k * 1.2566), -Math.cos(k * 1.2566)])};
  setSymbols({markers: {...MARKERS, pentagon}, precision: {}});
  assert.match(svgPath("pentagon", 0, 0, 1), /^M0 -1(L[^L]+){4}z$/);
  assert.ok(Math.abs(markerReach("pentagon") - 1) < 1e-9);
});

test("a shape with no drawing, or a name the data lacks, throws: never a circle instead", () => {
  assert.throws(() => setSymbols({markers: {star: {}}, precision: {}}), /"star" has no drawing/);
  assert.throws(() => setSymbols({markers: {star: {kind: "polygon", points: [[0, 1]]}}, precision: {}}), /three or more/);
  setSymbols({markers: MARKERS, precision: {}});
  assert.throws(() => markerShape("star"), /no marker shape "star"; known: circle, square/);
  assert.throws(() => svgPath("star", 0, 0, 5), /no marker shape "star"/);
  assert.throws(() => canvasPath(recorder(), "star", 0, 0, 5), /no marker shape "star"/);
});

test("the payload's marker names are checked before anything is drawn", () => {
  setSymbols({markers: MARKERS, precision: {site: {symbol: "point", r: 4.5, fo: 0.95}}});
  const layer = (m) => ({marker: "square", legend: [{shape: "square"}], fc: {features: [{properties: {_s: {m}}}]}});
  assert.deepEqual(checkPayloadSymbols({overlays: [layer("circle")]}), ["circle", "square"]);
  assert.throws(() => checkPayloadSymbols({overlays: [layer("hexagon")]}), /no marker shape "hexagon"/);
});

test("precision symbols are drawn by name; an unknown symbol throws", () => {
  for (const name of ["point", "hatch", "outline", "panel"]) { assert.equal(typeof precisionDrawing(name), "function"); }
  assert.throws(() => precisionDrawing("halo"), /no drawing for the precision symbol "halo"/);
  setSymbols({markers: MARKERS, precision: {site: {symbol: "glow"}}});
  assert.throws(() => checkPayloadSymbols({overlays: []}), /"glow"/);
});

test("a critical mineral's glyph is drawn from its data; an unknown glyph or kind is an error", () => {
  setSymbols({markers: MARKERS, glyphs: {lithium: {kind: "text", text: "Li", label: "lithium"}}, precision: {}});
  const calls = [];
  const ctx = {fillText: (...a) => calls.push(a)};
  canvasGlyph(ctx, "lithium", 10, 20, 9, "#000");
  assert.equal(calls[0][0], "Li");
  assert.equal(ctx.fillStyle, "#000");
  assert.throws(() => canvasGlyph(ctx, "tungsten", 0, 0, 9), /no glyph "tungsten"/);
  assert.throws(() => setSymbols({markers: MARKERS, glyphs: {w: {kind: "emoji", text: "W"}}, precision: {}}), /no drawing/);
  assert.throws(() => checkPayloadSymbols({overlays: [{legend: [{shape: "circle", glyph: "nickel"}]}]}), /no glyph "nickel"/);
});
