import assert from "node:assert/strict";
import test from "node:test";

import {RECEDE_SHARE, RECEDE_ZOOM, filtering, hatchRecedes, viewShare} from "../../geo/mapping/static/src/recede.js";

test("the share of the view a box covers is clipped to the view", () => {
  assert.equal(viewShare({left: 0, top: 0, right: 50, bottom: 100}, {x: 100, y: 100}), 0.5);
  assert.equal(viewShare({left: -500, top: -500, right: 500, bottom: 500}, {x: 100, y: 100}), 1);
  assert.equal(viewShare({left: 200, top: 0, right: 300, bottom: 100}, {x: 100, y: 100}), 0);
});

test("hatching recedes from the documented zoom or once it fills the view, unless lit", () => {
  assert.equal(hatchRecedes(RECEDE_ZOOM - 1, 0.1, false), false);
  assert.equal(hatchRecedes(RECEDE_ZOOM, 0.1, false), true);
  assert.equal(hatchRecedes(5, RECEDE_SHARE, false), true);
  assert.equal(hatchRecedes(RECEDE_ZOOM + 3, 1, true), false);  /* hovered, selected or filtered for */
});

test("a filter is set when any facet keeps some values", () => {
  assert.equal(filtering({sel: {}}), false);
  assert.equal(filtering({sel: {status: new Set()}}), false);
  assert.equal(filtering({sel: {status: new Set(["operating"])}}), true);
});
