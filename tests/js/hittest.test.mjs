import assert from "node:assert/strict";
import {test} from "node:test";

import {entriesAt, insideRings, markerHit, nearParts, segmentDistance, shapeHit} from "../../geo/mapping/static/src/hittest.js";

const P = (x, y) => ({x, y});
const SQUARE = [[P(0, 0), P(10, 0), P(10, 10), P(0, 10)]];
const HOLE = [[P(0, 0), P(10, 0), P(10, 10), P(0, 10)], [P(4, 4), P(6, 4), P(6, 6), P(4, 6)]];

test("distance to a segment: perpendicular inside it, to the nearer end outside", () => {
  assert.equal(segmentDistance(P(5, 3), P(0, 0), P(10, 0)), 3);
  assert.equal(segmentDistance(P(13, 4), P(0, 0), P(10, 0)), 5);
  assert.equal(segmentDistance(P(-3, 4), P(0, 0), P(10, 0)), 5);
  assert.equal(segmentDistance(P(3, 4), P(0, 0), P(0, 0)), 5);  /* a degenerate segment is a point */
});

test("inside rings is even-odd: a hole is outside", () => {
  assert.equal(insideRings(SQUARE, P(5, 5)), true);
  assert.equal(insideRings(SQUARE, P(15, 5)), false);
  assert.equal(insideRings(HOLE, P(5, 5)), false);
  assert.equal(insideRings(HOLE, P(2, 2)), true);
});

test("a line is open, a ring is closed", () => {
  const line = [[P(0, 0), P(10, 0), P(10, 10)]];
  assert.equal(nearParts(line, P(0, 5), 1, false), false);  /* the closing edge is not part of a line */
  assert.equal(nearParts(line, P(5, 5), 1, true), true);
  assert.equal(nearParts(line, P(10, 5), 1, false), true);
});

test("a marker is hit within 1.3 radii plus the tolerance", () => {
  assert.equal(markerHit(P(0, 0), 5, P(11, 0), 5), true);
  assert.equal(markerHit(P(0, 0), 5, P(9, 9), 5), false);
});

test("an area is hit inside or near its outline; an outline only near it", () => {
  assert.equal(shapeHit("area", SQUARE, P(5, 5), 3), true);
  assert.equal(shapeHit("area", SQUARE, P(12, 5), 3), true);
  assert.equal(shapeHit("outline", SQUARE, P(5, 5), 3), false);
  assert.equal(shapeHit("outline", SQUARE, P(1, 5), 3), true);
  assert.equal(shapeHit("line", [[P(0, 0), P(10, 0)]], P(5, 2), 3), true);
});

test("entries: on a marker's symbol its features; near one, its features and the area's; each once", () => {
  const rec = {id: "mines"}, at = {lat: 1, lng: 2}, far = {lat: 3, lng: 4};
  const a = {id: "a", n: "A"}, b = {id: "b", n: "B"}, c = {id: "c", n: "C"};
  const marker = {items: [a, b], rec, latlng: at}, twin = {items: [a], rec, latlng: at}, area = {items: [c], rec, latlng: far};
  assert.deepEqual(entriesAt({markers: [marker, twin], areas: [area], onMarker: true}).map((e) => e.item.id), ["a", "b"]);
  assert.deepEqual(entriesAt({markers: [marker, twin], areas: [area], onMarker: false}).map((e) => e.item.id), ["a", "b", "c"]);
  assert.deepEqual(entriesAt({markers: [], areas: [area]}).map((e) => e.item.id), ["c"]);
});
