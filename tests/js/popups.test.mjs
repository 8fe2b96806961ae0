import assert from "node:assert/strict";
import test from "node:test";

import {controlClearance, popupLayout, smallScreen} from "../../geo/mapping/static/src/popups.js";

test("popups keep clear of each control by the cheaper band", () => {
  const size = {x: 1000, y: 800};
  const zoom = {left: 10, top: 10, right: 44, bottom: 150};   /* a column at the top left: a band on the left */
  const toggle = {left: 880, top: 10, right: 990, bottom: 40}; /* the panel button: a band at the top */
  const panel = {left: 690, top: 10, right: 990, bottom: 700}; /* the open panel: a band on the right */
  const scale = {left: 10, top: 770, right: 110, bottom: 790};  /* the scale: a band at the bottom */
  assert.deepEqual(controlClearance(size, [zoom, toggle, scale], 10), {left: 54, top: 50, right: 10, bottom: 40});
  assert.deepEqual(controlClearance(size, [zoom, panel], 10), {left: 54, top: 10, right: 320, bottom: 10});
  assert.deepEqual(controlClearance(size, [], 12), {left: 12, top: 12, right: 12, bottom: 12});
});

test("a popup's height fits between the bands; a phone is a small screen", () => {
  const layout = popupLayout({x: 1000, y: 640}, {left: 54, top: 50, right: 10, bottom: 40});
  assert.ok(layout.maxHeight <= 640 - 50 - 40 - 70);
  assert.deepEqual(layout.autoPanPaddingTopLeft, [54, 50]);
  assert.equal(smallScreen({x: 390, y: 800}), true);
  assert.equal(smallScreen({x: 1024, y: 640}), false);
});
