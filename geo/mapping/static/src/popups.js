/* Popups and the hover note: one feature, or the list of everything under the click. */
import {clear, el, safeUrl} from "./dom.js";
import {entriesAt, hitsAt} from "./hittest.js";
import {num, t} from "./words.js";

/* A feature's popup section: name, table of fields, history, readings and sources. */
export function itemNode(it) {
  var sec = el("div", "atlas-item");
  sec.appendChild(el("h4", null, it.n));
  if (it.disp) { sec.appendChild(el("div", "atlas-disputed", t("popup.disputed"))); }
  var table = el("table");
  it.rows.forEach(function (r) {
    var tr = el("tr");
    tr.appendChild(el("th", null, r[0]));
    tr.appendChild(el("td", null, r[1]));
    table.appendChild(tr);
  });
  sec.appendChild(table);
  if (it.ev && it.ev.length) {
    sec.appendChild(el("div", "atlas-h", t("popup.history")));
    var hl = el("ul", "atlas-readings");
    it.ev.forEach(function (e) { hl.appendChild(el("li", null, [e[0], e[1], e[2]].filter(Boolean).join(": "))); });
    sec.appendChild(hl);
  }
  if (it.rd && it.rd.length) {
    sec.appendChild(el("div", "atlas-h", t("popup.readings")));
    var ul = el("ul", "atlas-readings");
    it.rd.forEach(function (r) { ul.appendChild(el("li", null, t("popup.reading", {claim: r.c, confidence: r.k, source: r.s}))); });
    sec.appendChild(ul);
  }
  if (it.src && it.src.length) {
    sec.appendChild(el("div", "atlas-h", t("popup.sources")));
    var ol = el("ol", "atlas-sources");
    it.src.forEach(function (s) {
      var li = el("li"), url = safeUrl(s.u), a = el(url ? "a" : "span", null, s.t);
      if (url) { a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer"; }
      li.appendChild(a);
      var meta = [s.p, s.d].filter(Boolean).join(", ");
      if (meta) { li.appendChild(document.createTextNode(" (" + meta + ")")); }
      ol.appendChild(li);
    });
    sec.appendChild(ol);
  }
  return sec;
}

/* The size and padding of a popup of a map `size` px wide and high, with `right` px taken by the panel. */
export function popupLayout(size, right) {
  var left = size.x < 600 ? 12 : 56, room = size.x - right - left - 50;  /* 50: the popup's own frame */
  return {maxWidth: Math.max(180, Math.min(380, room)), minWidth: Math.min(240, room),
    maxHeight: Math.max(160, Math.min(440, size.y - 110)), autoPanPaddingTopLeft: [left, 12],
    autoPanPaddingBottomRight: [right, 12], className: "atlas-leaflet-popup"};
}

/* Popups fit in the part of the map the panel leaves free; on a small screen the panel closes first. */
function popupOptions(A) {
  var size = A.map.getSize(), right = 12, panel = A.panel;
  if (!L.DomUtil.hasClass(panel.root, "atlas-collapsed")) {
    if (size.x < 700) { panel.setOpen(false); } else { right = panel.root.offsetWidth + 20; }
  }
  return popupLayout(size, right);
}

/* One popup, moved and refilled: going from a list to a feature and back never stacks two popups. */
function showPopup(A, content, latlng) {
  L.DomEvent.disableClickPropagation(content);  /* a click in the popup is not a click on the map */
  A.popup = A.popup || L.popup(popupOptions(A));
  L.setOptions(A.popup, popupOptions(A));
  A.popup.setLatLng(latlng).setContent(content);  /* re-laid out and panned into view */
  if (!A.popup.isOpen()) { A.popup.openOn(A.map); }
  return A.popup;
}

export function openItem(A, entry, latlng, back, heading) {
  var root = el("div", "atlas-popup");
  if (back) {
    var b = el("button", "atlas-back", t("popup.back", {heading: heading || t("popup.here", {n: back.length})}));
    b.type = "button";
    b.addEventListener("click", function () { openItems(A, back, latlng, heading); });
    root.appendChild(b);
  }
  var node = itemNode(entry.item);
  if (entry.rec && entry.rec.meta && entry.rec.meta.title) { node.insertBefore(el("div", "atlas-layer-name", entry.rec.meta.title), node.firstChild); }
  root.appendChild(node);
  return showPopup(A, root, latlng || entry.latlng);
}

export function openItems(A, entries, latlng, heading) {
  if (!entries.length) { return null; }
  if (entries.length === 1) { return openItem(A, entries[0], latlng); }
  var root = el("div", "atlas-popup atlas-list");
  root.appendChild(el("h4", null, heading || t("popup.here", {n: entries.length})));
  var ul = el("ul");
  entries.forEach(function (entry) {
    var li = el("li"), b = el("button", null, entry.item.n);
    b.type = "button";
    b.appendChild(el("span", "atlas-list-layer", " " + (entry.rec ? entry.rec.meta.title : "")));
    b.addEventListener("click", function () { openItem(A, entry, latlng, entries, heading); });
    li.appendChild(b); ul.appendChild(li);
  });
  root.appendChild(ul);
  return showPopup(A, root, latlng);
}

function openPacked(A, hit, latlng) {
  var rec = hit.rec, layer = rec.group, near = hit.near, shown = near.slice(0, 12);
  Promise.all(shown.map(function (h) { return layer.item(h.i); })).then(function (items) {
    var entries = items.map(function (it, k) { return {item: it, rec: rec, latlng: layer.latLng(shown[k].i)}; });
    if (entries.length === 1) { openItem(A, entries[0], entries[0].latlng); return; }
    var heading = near.length > shown.length ? t("popup.packed_nearest", {count: num(near.length), n: shown.length}) : null;
    openItems(A, entries, latlng, heading);
  });
}

/* What the hover note says: the feature's name, how many features, or a reference name (towns with people). */
export function hoverText(hits, entries) {
  if (entries.length === 1) { return entries[0].item.n; }
  if (entries.length > 1) { return t("hover.features", {n: entries.length}); }
  if (hits.ref) {
    var m = / \(([\d,]+)\)$/.exec(String(hits.ref.title));
    return m ? t("hover.people", {name: String(hits.ref.title).slice(0, m.index), people: m[1]}) : String(hits.ref.title);
  }
  return null;
}

/* The hover note and the click that opens popups. */
export function bindPointer(A) {
  var map = A.map, container = map.getContainer();
  var hover = el("div", "atlas-hover");
  container.appendChild(hover);
  var pending = null, scheduled = false;
  map.on("mousemove", function (e) {
    pending = e;
    if (scheduled) { return; }
    scheduled = true;
    requestAnimationFrame(function () {
      scheduled = false;
      var ev = pending;
      if (!ev || map.dragging && map.dragging.moving && map.dragging.moving()) { return; }
      var hits = hitsAt(A, ev.layerPoint, false), entries = entriesAt(hits), text = hoverText(hits, entries);
      container.style.cursor = entries.length ? "pointer" : "";
      if (!text) { hover.style.display = "none"; return; }
      hover.textContent = text; hover.style.display = "block";
      var x = ev.containerPoint.x + 14, y = ev.containerPoint.y + 14, size = map.getSize();
      hover.style.left = Math.max(0, Math.min(x, size.x - hover.offsetWidth - 4)) + "px";
      hover.style.top = Math.max(0, Math.min(y, size.y - hover.offsetHeight - 4)) + "px";
    });
  });
  map.on("mouseout", function () { hover.style.display = "none"; });
  map.on("click", function (e) {
    var hits = hitsAt(A, e.layerPoint), entries = entriesAt(hits);
    if (entries.length) { openItems(A, entries, entries.length === 1 ? entries[0].latlng : e.latlng); return; }
    if (hits.packed.length) { openPacked(A, hits.packed[0], e.latlng); }
  });
  return hover;
}

/* Clear a node and show one feature in it (the list of features without a location). */
export function showItemIn(node, it) { clear(node).appendChild(itemNode(it)); }
