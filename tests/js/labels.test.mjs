import assert from "node:assert/strict";
import {test} from "node:test";

import {areaLabelText, cityThresholds, declutterBoxes} from "../../geo/mapping/static/src/labels.js";
import {setWords} from "../../geo/mapping/static/src/words.js";

const box = (left, top, k, w = 10, h = 10) => ({r: {left, top, right: left + w, bottom: top + h}, k});

test("declutter: a label clashing with a higher-ranked one is hidden, others stay", () => {
  const country = box(0, 0, 3e9), town = box(5, 5, 1000), far = box(50, 50, 1), region = box(8, 0, 1e6);
  const hidden = declutterBoxes([town, country, far, region]);
  assert.deepEqual(hidden, [region, town]);
});

test("declutter: touching edges do not clash; equal ranks keep their order", () => {
  const a = box(0, 0, 5), b = box(10, 0, 5), c = box(5, 0, 5);
  assert.deepEqual(declutterBoxes([a, b, c]), [c]);
});

test("towns shown and named by zoom: fewer when zoomed out", () => {
  assert.deepEqual(cityThresholds(4), [300000, 600000]);
  assert.deepEqual(cityThresholds(7), [10000, 30000]);
  assert.deepEqual(cityThresholds(9), [0, 0]);
});

test("an area's label: its feature, or how many lie somewhere inside", () => {
  setWords({"field.country": "Country", "label.somewhere_in": "somewhere in {country}", "label.this_country": "this country",
    "label.in_this_area": "in this area", "label.one_in": "{name}: {where}",
    "label.features": {one: "{n} feature {where}", other: "{n} features {where}"}}, "en");
  const item = {n: "Valor Carbon", rows: [["Country", "Kyrgyzstan"]]};
  assert.equal(areaLabelText([{item}], false), "Valor Carbon");
  assert.equal(areaLabelText([{item}], true), "Valor Carbon: somewhere in Kyrgyzstan");
  assert.equal(areaLabelText([{item}, {item: {n: "B", rows: []}}], true), "2 features somewhere in Kyrgyzstan");
  assert.equal(areaLabelText([{item: {n: "B", rows: []}}, {item}], true), "2 features somewhere in this country");
  assert.equal(areaLabelText([{item}, {item}], false), "2 features in this area");
});
