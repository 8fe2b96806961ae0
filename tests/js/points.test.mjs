import assert from "node:assert/strict";
import {test} from "node:test";
import {deflateSync} from "node:zlib";

import {Attributes, decodePositions, inflate, packedItem, planesU32, pointsNear, rgba, u32, unshuffle}
  from "../../geo/mapping/static/src/points.js";
import {setWords} from "../../geo/mapping/static/src/words.js";

/* little-endian u32 values as 4 byte planes (as geo/mapping/packed.py writes them) */
function planes(values) {
  const n = values.length, out = new Uint8Array(4 * n);
  values.forEach((v, i) => { for (let b = 0; b < 4; b++) { out[b * n + i] = (v >>> (8 * b)) & 255; } });
  return out;
}

test("byte planes and plain little-endian u32 decode to the same values", () => {
  const values = [0, 1, 258, 70000, 4294967295];
  assert.deepEqual(Array.from(planesU32(planes(values), 0, values.length)), values);
  const plain = new Uint8Array(new Uint32Array(values).buffer);
  assert.deepEqual(Array.from(u32(plain, 0, values.length)), values);
});

test("unshuffle undoes the byte shuffle of 8-byte floats", () => {
  const floats = new Float64Array([1.5, -2.25, 1e10]), raw = new Uint8Array(floats.buffer), n = 3;
  const shuffled = new Uint8Array(24);
  for (let b = 0; b < 8; b++) { for (let i = 0; i < n; i++) { shuffled[b * n + i] = raw[i * 8 + b]; } }
  assert.deepEqual(Array.from(new Float64Array(unshuffle(shuffled, 0, n, 8).buffer)), [1.5, -2.25, 1e10]);
});

test("a colour is one opaque little-endian RGBA pixel", () => {
  assert.equal(rgba("#ff0000") >>> 0, 0xff0000ff);
  assert.equal(rgba("#0000ff") >>> 0, 0xffff0000);
});

test("positions: x as running deltas, y as values, in grid steps from the origin", () => {
  const d = {n: 3, origin: [60, 40], step: 0.5};
  const bytes = new Uint8Array([...planes([0, 2, 4]), ...planes([0, 1, 2])]);
  const pos = decodePositions(bytes, d);
  assert.deepEqual(Array.from(pos.qx), [0, 2, 6]);
  assert.deepEqual(Array.from(pos.qy), [0, 1, 2]);
  assert.ok(Math.abs(pos.mx[1] - (0.5 + 61 / 360)) < 1e-12);
  assert.ok(pos.my[2] < pos.my[0]);  /* further north is higher on the map */
});

test("the compact layer is inflated from base64 deflate", async () => {
  const b64 = deflateSync(Buffer.from([1, 2, 3, 250])).toString("base64");
  assert.deepEqual(Array.from(await inflate(b64)), [1, 2, 3, 250]);
});

test("attributes decode dictionary, text, number and null columns", () => {
  const enc = new TextEncoder(), a = enc.encode("red"), b = enc.encode("blue");
  const lengths = new Uint8Array(new Uint32Array([a.length, b.length]).buffer);
  const dict = [...lengths, ...a, ...b, 1, 0];  /* codes, <u1 */
  const texts = [enc.encode("x"), enc.encode("yz")];
  const text = [...planes(texts.map((x) => x.length)), ...texts[0], ...texts[1]];
  const columns = [
    {name: "colour", type: "dict", size: 2, codes: "<u1", sizes: [8, 7, 2]},
    {name: "note", type: "str", sizes: [8, 3]},
    {name: "n", type: "int", nulls: true, sizes: [1, 16]}
  ];
  const ints = new Uint8Array(new Float64Array([7, 0]).buffer), shuffled = new Uint8Array(16);
  for (let k = 0; k < 8; k++) { for (let i = 0; i < 2; i++) { shuffled[k * 2 + i] = ints[i * 8 + k]; } }
  const attrs = new Attributes(new Uint8Array([...dict, ...text, 0b10, ...shuffled]), columns, 2);
  const [colour, note, n] = attrs.columns;
  assert.deepEqual([attrs.value(colour, 0), attrs.value(colour, 1)], ["blue", "red"]);
  assert.deepEqual([attrs.value(note, 0), attrs.value(note, 1)], ["x", "yz"]);
  assert.deepEqual([attrs.value(n, 0), attrs.value(n, 1)], ["7", null]);
});

test("points near a click, nearest first, within the tolerance", () => {
  const mx = new Float64Array([0.5, 0.50001, 0.6]), my = new Float64Array([0.5, 0.5, 0.5]);
  const scale = 256 * 2 ** 10, near = pointsNear(mx, my, scale, 0.500008 * scale, 0.5 * scale, 5);
  assert.deepEqual(near.map((h) => h.i), [1, 0]);
});

test("a packed point's popup: its attributes, then position and grid step", () => {
  setWords({"packed.position": "Position", "packed.where": "{lat}, {lng} ({step} m; {within} m)", "packed.point": "Point {n}"}, "en");
  const attrs = {columns: [{name: "name"}, {name: "kind"}], value: (col) => (col.name === "kind" ? "well" : null)};
  const item = packedItem(attrs, 4, {title: "name", step_m: 10}, {lat: 41.5, lng: 69.25});
  assert.equal(item.n, "Point 5");
  assert.deepEqual(item.rows, [["kind", "well"], ["Position", "41.50000, 69.25000 (10 m; 7.1 m)"]]);
});
