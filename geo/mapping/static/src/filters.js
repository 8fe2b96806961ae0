/* Filters: which curated items pass the facets and the time filter, and the facet controls of the panel.
   `filter` is {sel: {facet: Set of values kept}, time: {mode: "any" | "on" | "between", on, from, to}}. */
import {el} from "./dom.js";
import {effectiveStatus, timeOk} from "./time.js";
import {t} from "./words.js";

/* The value of a facet for an item (its status under the time filter). */
export function facetValue(it, key, filter) {
  return key === "status" ? effectiveStatus(it, filter.time) : (it.f || {})[key];
}

export function facetOk(it, key, skip, filter) {
  var sel = filter.sel[key];
  if (!sel || key === skip) { return true; }
  var v = facetValue(it, key, filter);
  if (v === undefined || v === null) { return false; }
  return Array.isArray(v) ? v.some(function (x) { return sel.has(x); }) : sel.has(v);
}

/* Whether a curated item passes every filter (`skip`: leave one facet out, to count its choices). Items
   without facets (a user's layer) always pass. */
export function passes(it, filter, skip) {
  if (!it.f) { return true; }
  if (!timeOk(it, filter)) { return false; }
  return Object.keys(filter.sel).every(function (k) {
    if (k === "status" && filter.time.mode === "between") { return true; }  /* judged per dated record */
    return facetOk(it, k, skip, filter);
  });
}

/* How many of `items` ({it}) have `value` in facet `key` and pass the other filters. */
export function facetCount(items, key, value, filter) {
  return items.filter(function (x) {
    var v = facetValue(x.it, key, filter);
    var has = Array.isArray(v) ? v.indexOf(value) !== -1 : v === value;
    return has && passes(x.it, filter, key);
  }).length;
}

/* The number of filters on (each facet with a choice, and the time filter unless "any"). */
export function activeFilters(filter) {
  return Object.keys(filter.sel).length + (filter.time.mode === "any" ? 0 : 1);
}

/* The summary of a facet's choices: all, none, up to two labels, or "n of m". */
export function facetSummary(labels, total) {
  var n = labels.length;
  return n === total ? t("filter.all") : n === 0 ? t("filter.none") : n <= 2 ? labels.join(", ") :
    t("filter.n_of", {n: n, total: total});
}

/* One facet of the filter section; a change calls A.apply(). */
export function buildFacet(A, fd) {
  var d = el("details", "atlas-facet"), s = el("summary");
  d.appendChild(s);
  d.setAttribute("data-facet", fd.key);
  var tools = el("div", "atlas-facet-tools"), all = el("button", null, t("filter.all")), none = el("button", null, t("filter.none"));
  all.type = none.type = "button";
  tools.appendChild(all); tools.appendChild(none); d.appendChild(tools);
  var rows = fd.values.map(function (v) {
    var row = el("label", "atlas-facet-row"), box = el("input");
    box.type = "checkbox"; box.checked = true;
    box.value = v[0]; box.addEventListener("change", function () { readFacet(); });
    row.appendChild(box); row.appendChild(el("span", null, v[1]));
    var c = el("span", "atlas-count");
    row.appendChild(c); d.appendChild(row);
    return {box: box, count: c, value: v[0], label: v[1]};
  });
  function readFacet() {
    var on = rows.filter(function (r) { return r.box.checked; }).map(function (r) { return r.value; });
    A.filter.sel[fd.key] = on.length === rows.length ? null : new Set(on);
    if (!A.filter.sel[fd.key]) { delete A.filter.sel[fd.key]; }
    A.apply();
  }
  all.addEventListener("click", function () { rows.forEach(function (r) { r.box.checked = true; }); readFacet(); });
  none.addEventListener("click", function () { rows.forEach(function (r) { r.box.checked = false; }); readFacet(); });
  return {node: d, def: fd, rows: rows, summary: s, sync: function () {
    var sel = A.filter.sel[fd.key];
    rows.forEach(function (r) { r.box.checked = !sel || sel.has(r.value); });
    var checked = rows.filter(function (r) { return r.box.checked; }).map(function (r) { return r.label; });
    s.textContent = t("filter.facet", {label: fd.label, choice: facetSummary(checked, rows.length)});
    rows.forEach(function (r) {
      var k = facetCount(A.items, fd.key, r.value, A.filter);
      r.count.textContent = t("count", {n: k});
      L.DomUtil[k ? "removeClass" : "addClass"](r.box.parentNode, "atlas-zero");
    });
  }};
}
