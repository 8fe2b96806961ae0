import assert from "node:assert/strict";
import {test} from "node:test";

import {AREA_LABEL_CAP, SITE_MINZ, areaLabelText, byRank, capAreaLabels, cityThresholds, declutterBoxes, siteLabel} from "../../geo/mapping/static/src/labels.js";
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

test("sited and town-level features are named, from their zoom; others and unnamed points are not", () => {
  setWords({"label.site_more": "{name} +{n}"}, "en");
  const site = {n: "Kumtor", f: {location_precision: "site"}}, town = {n: "Campus", f: {location_precision: "town"}};
  const region = {n: "Somewhere", f: {location_precision: "region"}};
  assert.equal(siteLabel([site], {lat: 1, lng: 2}).minz, SITE_MINZ.site);
  assert.equal(siteLabel([town, site], {lat: 1, lng: 2}).text, "Campus +1");
  assert.ok(siteLabel([site], {}).rank > siteLabel([town], {}).rank);
  assert.equal(siteLabel([region], {}), null);
  assert.equal(siteLabel([{n: "x", l: "Depot 7"}], {}, true).text, "Depot 7");  /* a user layer's label column */
  assert.equal(siteLabel([{n: "x"}], {}, true), null);
});

test("area labels are capped below the cap's zoom, keeping the highest ranked", () => {
  const defs = Array.from({length: AREA_LABEL_CAP.cap + 5}, (_, i) => ({rank: i}));
  const kept = capAreaLabels(defs, AREA_LABEL_CAP.below - 1);
  assert.equal(kept.length, AREA_LABEL_CAP.cap);
  assert.equal(Math.min(...kept.map((d) => d.rank)), 5);
  assert.equal(capAreaLabels(defs, AREA_LABEL_CAP.below).length, defs.length);
});

test("labels are placed highest rank first, ties in their order", () => {
  const a = {rank: 1, t: "a"}, b = {rank: 5, t: "b"}, c = {rank: 1, t: "c"}, d = {t: "d"};
  assert.deepEqual(byRank([a, b, c, d]).map((x) => x.t), ["b", "a", "c", "d"]);
});
