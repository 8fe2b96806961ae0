/* Search: places and features by name, in Latin or Cyrillic letters, in the title bar. */
import {clear, el} from "./dom.js";
import {geomBounds} from "./layers.js";
import {openItem} from "./popups.js";
import {records, visible} from "./state.js";
import {t} from "./words.js";

var CYR = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
  "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
  "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
  "ю": "yu", "я": "ya", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i"};

/* A name folded for matching: lower case, Cyrillic transliterated, accents and apostrophes dropped. */
export function fold(s) {
  return String(s || "").toLowerCase().replace(/[а-яёәғқңөұүһі]/g, function (c) { return CYR[c]; })
    .normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[ʻʼ'`’‘]/g, "")
    .replace(/[\s\-_.,()]+/g, " ").trim();
}

/* How well an index entry matches the folded query q: 0 a name starts with it, 1 a name contains it,
   2 another fact contains it, -1 no match. */
export function matchScore(entry, q) {
  return entry.keys.some(function (k) { return k.indexOf(q) === 0; }) ? 0 :
    entry.keys.some(function (k) { return k.indexOf(q) !== -1; }) ? 1 :
      entry.more.some(function (k) { return k.indexOf(q) !== -1; }) ? 2 : -1;
}

/* The entries matching q, best first. */
export function searchIndex(index, q) {
  var hits = index.filter(function (e) {
    var name = matchScore(e, q);
    e.score = name + (e.primary ? 0 : 0.5);
    return name >= 0;
  });
  hits.sort(function (a, b) { return a.score - b.score || a.order - b.order || a.rank - b.rank || a.label.localeCompare(b.label); });
  return hits;
}

function show(A, rec) { if (!visible(A, rec)) { A.map.addLayer(rec.group); A.refresh(); } }
function flyTo(map, b) {
  if (b.getNorthEast().equals(b.getSouthWest())) {
    map.setView(b.getCenter(), Math.max(map.getZoom(), 9), {animate: false});
  } else { map.fitBounds(b, {maxZoom: 9, animate: false}); }
}

function indexSearch(A) {
  var seen = {};
  function add(e) {
    var key = e.label + "|" + e.group + "|" + e.at;
    if (seen[key]) { seen[key].keys = seen[key].keys.concat(e.keys); seen[key].more = seen[key].more.concat(e.more); return; }
    seen[key] = e; A.search.push(e);
  }
  records(A).forEach(function (rec) {
    if (!rec.meta.fc) { return; }
    rec.meta.fc.features.forEach(function (f) {
      var p = f.properties;
      if (!f.geometry) { return; }
      var b = geomBounds(f.geometry), center = p._lbl ? L.latLng(p._lbl) : b.getCenter();
      var at = center.lat.toFixed(2) + "," + center.lng.toFixed(2);
      (p._items || []).forEach(function (it) {
        var facets = it.f || {}, facts = [].concat(facets.commodities || [], it.k || []);
        add({label: it.n, group: rec.meta.title, at: at, order: rec.kind === "curated" ? 0 : 1, rank: 0, primary: true,
          keys: [fold(it.n), fold(it.id)], more: facts.map(fold),
          open: function () { show(A, rec); flyTo(A.map, b); openItem(A, {item: it, rec: rec}, center); }});
      });
      if (p._k) {
        add({label: String(p._ln || p._t || p._k[0]).replace(/ \([\d,]+\)$/, ""), group: p._g || rec.meta.title, at: at,
          order: 2, rank: -(p._p || 0), primary: false, keys: p._k.map(fold), more: [],
          open: function () { show(A, rec); flyTo(A.map, b); }});
      }
    });
  });
  A.search.forEach(function (e) { e.keys = e.keys.filter(Boolean); e.more = e.more.filter(Boolean); });
}

var LIMIT = 60;

/* The search box and its result list. */
export function buildSearch(A) {
  var wrap = el("div", "atlas-search"), input = el("input"), list = el("div", "atlas-search-results");
  input.type = "search";
  input.placeholder = A.map.getSize().x < 500 ? t("search.short") : t("search.placeholder");
  input.setAttribute("aria-label", t("search.aria"));
  wrap.appendChild(input); wrap.appendChild(list);
  function run() {
    if (!A.search.length) { indexSearch(A); }
    clear(list);
    var q = fold(input.value);
    if (q.length < 2) { list.style.display = "none"; return; }
    var hits = searchIndex(A.search, q), byGroup = {}, groups = [];
    hits.slice(0, LIMIT).forEach(function (h) {
      if (!byGroup[h.group]) { byGroup[h.group] = []; groups.push(h.group); }
      byGroup[h.group].push(h);
    });
    groups.forEach(function (g) {
      list.appendChild(el("div", "atlas-search-group", g));
      byGroup[g].forEach(function (h) {
        var b = el("button", "atlas-search-hit", h.label);
        b.type = "button";
        b.addEventListener("click", function () { list.style.display = "none"; h.open(); });
        list.appendChild(b);
      });
    });
    if (!hits.length) { list.appendChild(el("div", "atlas-search-none", t("search.none"))); }
    if (hits.length > LIMIT) { list.appendChild(el("div", "atlas-search-more", t("search.more", {n: hits.length - LIMIT}))); }
    list.insertBefore(el("div", "atlas-search-count", t("search.count", {n: hits.length})), list.firstChild);
    list.style.display = "block";
  }
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { input.value = ""; run(); }
    if (ev.key === "Enter") { var first = list.querySelector(".atlas-search-hit"); if (first) { first.click(); } }
  });
  return wrap;
}
