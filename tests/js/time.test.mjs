import assert from "node:assert/strict";
import {test} from "node:test";

import {dateEnd, dateStart, effectiveStatus, monthName, recordMonths, thisMonth, timeOk} from "../../geo/mapping/static/src/time.js";
import {setWords} from "../../geo/mapping/static/src/words.js";

const ITEM = {f: {status: "operating"}, t: [["2019", "announced", "announced"], ["2021-06", "construction", "x"],
  ["2023-02-15", null, "agreement: A"], ["2024-03-01", "operating", "status as of"]]};

test("a partial date is the period it names", () => {
  assert.equal(dateStart("2021"), "2021-01-01");
  assert.equal(dateEnd("2021"), "2021-12-31");
  assert.equal(dateStart("2021-06"), "2021-06-01");
  assert.equal(dateEnd("2021-06"), "2021-06-31");
  assert.equal(dateEnd("2021-06-05"), "2021-06-05");
});

test("this month is YYYY-MM of the given day", () => {
  assert.equal(thisMonth(new Date(2026, 1, 3)), "2026-02");
});

test("the status on a month is the last dated status by its end", () => {
  assert.equal(effectiveStatus(ITEM, {mode: "any"}), "operating");
  assert.equal(effectiveStatus(ITEM, {mode: "on", on: "2018-12"}), null);
  assert.equal(effectiveStatus(ITEM, {mode: "on", on: "2019-01"}), "announced");  /* "2019" starts 2019-01-01 */
  assert.equal(effectiveStatus(ITEM, {mode: "on", on: "2023-12"}), "construction");  /* an agreement has no status */
  assert.equal(effectiveStatus(ITEM, {mode: "on", on: "2024-03"}), "operating");
});

test("'between' keeps items with a dated record in the period, of a chosen status", () => {
  const filter = (from, to, status) => ({sel: status ? {status: new Set(status)} : {}, time: {mode: "between", from, to}});
  assert.equal(timeOk(ITEM, filter("2020-01", "2020-12")), false);
  assert.equal(timeOk(ITEM, filter("2021-01", "2021-12")), true);
  assert.equal(timeOk(ITEM, filter("2021-01", "2021-12", ["operating"])), false);
  /* a record without a status (the agreement) is read as the curated status */
  assert.equal(timeOk(ITEM, filter("2023-01", "2023-03", ["operating"])), true);
  assert.equal(timeOk({f: {}}, filter("2000-01", "2030-12")), false);
  assert.equal(timeOk(ITEM, {sel: {}, time: {mode: "any"}}), true);
});

test("the record months span every item's records", () => {
  assert.deepEqual(recordMonths([{it: ITEM}, {it: {t: [["2018-05-01", null, "x"]]}}, {it: {}}]), ["2018-05", "2024-03"]);
  assert.deepEqual(recordMonths([]), [null, null]);
});

test("a month is named from the words", () => {
  setWords({"time.month_year": "{month} {year}", "time.month.3": "March"}, "en");
  assert.equal(monthName("2024-03"), "March 2024");
});
