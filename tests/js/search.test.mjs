import assert from "node:assert/strict";
import {test} from "node:test";

import {fold, matchScore, searchIndex} from "../../geo/mapping/static/src/search.js";

test("names fold to plain Latin: Cyrillic, Kazakh letters, accents, apostrophes", () => {
  assert.equal(fold("Алматы"), "almaty");
  assert.equal(fold("Қарағанды"), "karagandy");
  assert.equal(fold("Oʻzbekiston"), "ozbekiston");
  assert.equal(fold("Nur-Sultan (Astana)"), "nur sultan astana");
  assert.equal(fold("Zhezkazgán"), "zhezkazgan");
});

test("matches rank: a name starting with the query, a name containing it, another fact", () => {
  const entry = {keys: ["almaty"], more: ["uranium"]};
  assert.equal(matchScore(entry, "alm"), 0);
  assert.equal(matchScore(entry, "maty"), 1);
  assert.equal(matchScore(entry, "uran"), 2);
  assert.equal(matchScore(entry, "gold"), -1);
});

test("search results: best match first, features before places", () => {
  const e = (label, keys, order, primary = true) => ({label, keys, more: [], order, rank: 0, primary});
  const hits = searchIndex([e("Altyn town", ["altyn town"], 2, false), e("Mine of Altyn", ["mine of altyn"], 0),
    e("Altyn mine", ["altyn mine"], 0), e("Other", ["other"], 0)], "altyn");
  assert.deepEqual(hits.map((h) => h.label), ["Altyn mine", "Altyn town", "Mine of Altyn"]);
});
