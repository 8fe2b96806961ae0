import assert from "node:assert/strict";
import {test} from "node:test";

import {activeFilters, facetCount, facetOk, facetSummary, passes} from "../../geo/mapping/static/src/filters.js";
import {setWords} from "../../geo/mapping/static/src/words.js";

const MINE = {f: {status: "operating", country: "KZ", commodities: ["uranium", "copper"]}, t: [["2020", "planned", "p"]]};
const CAMPUS = {f: {status: "planned", country: "UZ"}, t: []};
const USER = {n: "a user's feature", rows: []};
const any = (sel) => ({sel, time: {mode: "any"}});

test("an item passes when every facet keeps one of its values", () => {
  assert.equal(passes(MINE, any({})), true);
  assert.equal(passes(MINE, any({country: new Set(["KZ"])})), true);
  assert.equal(passes(MINE, any({country: new Set(["UZ"])})), false);
  assert.equal(passes(MINE, any({commodities: new Set(["copper"])})), true);  /* a list: any of its values */
  assert.equal(passes(MINE, any({commodities: new Set(["gold"])})), false);
});

test("an item without the facet's field fails that facet; a user's item always passes", () => {
  assert.equal(passes(CAMPUS, any({commodities: new Set(["copper"])})), false);
  assert.equal(passes(USER, any({country: new Set(["XX"])})), true);
});

test("skipping a facet counts its choices against the other filters", () => {
  const filter = any({country: new Set(["UZ"]), status: new Set(["operating"])});
  assert.equal(facetOk(MINE, "country", "country", filter), true);
  assert.equal(passes(MINE, filter, "country"), true);
  assert.equal(passes(MINE, filter), false);
  assert.equal(facetCount([{it: MINE}, {it: CAMPUS}, {it: USER}], "country", "KZ", filter), 1);
  assert.equal(facetCount([{it: MINE}, {it: CAMPUS}], "status", "planned", filter), 1);
});

test("under 'status on a month' the status facet reads the dated status", () => {
  const filter = {sel: {status: new Set(["planned"])}, time: {mode: "on", on: "2021-01"}};
  assert.equal(passes(MINE, filter), true);
  assert.equal(passes(CAMPUS, filter), false);  /* no dated record by then: hidden */
});

test("under 'between' the status facet is judged per dated record, not as a facet", () => {
  const filter = {sel: {status: new Set(["planned"])}, time: {mode: "between", from: "2020-01", to: "2020-12"}};
  assert.equal(passes(MINE, filter), true);
});

test("filters on: each facet with a choice, and the time filter unless 'any'", () => {
  assert.equal(activeFilters(any({})), 0);
  assert.equal(activeFilters({sel: {a: new Set()}, time: {mode: "on"}}), 2);
});

test("a facet's summary: all, none, up to two labels, or n of m", () => {
  setWords({"filter.all": "all", "filter.none": "none", "filter.n_of": "{n} of {total}"}, "en");
  assert.equal(facetSummary(["a", "b", "c"], 3), "all");
  assert.equal(facetSummary([], 3), "none");
  assert.equal(facetSummary(["a", "b"], 3), "a, b");
  assert.equal(facetSummary(["a", "b", "c"], 5), "3 of 5");
});
