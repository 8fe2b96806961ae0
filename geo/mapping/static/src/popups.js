/* Popups and the hover note: one feature, or the list of everything under the click. */
import {clear, el, safeUrl} from "./dom.js";
import {entriesAt, hitsAt} from "./hittest.js";
import {light} from "./recede.js";
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

/* The room a popup keeps from the controls: each control box ({left, top, right, bottom}, map px) is avoided by
   the cheaper of two bands, along the side of the map it sits by (the zoom buttons: a band on the left; the
   collapsed panel button, the scale: a band at the top or bottom; the open panel: a band on the right).
   Returns {left, top, right, bottom} in px, at least `margin` each. */
export function controlClearance(size, boxes, margin) {
  var pad = {left: margin, top: margin, right: margin, bottom: margin};
  boxes.forEach(function (b) {
    var east = (b.left + b.right) / 2 > size.x / 2, south = (b.top + b.bottom) / 2 > size.y / 2;
    var across = east ? size.x - b.left : b.right, down = south ? size.y - b.top : b.bottom;
    if (across / size.x <= down / size.y) {
      if (east) { pad.right = Math.max(pad.right, across + margin); } else { pad.left = Math.max(pad.left, across + margin); }
    } else if (south) { pad.bottom = Math.max(pad.bottom, down + margin); } else { pad.top = Math.max(pad.top, down + margin); }
  });
  return pad;
}

/* The size and padding of a popup in a map `size` px wide and high, keeping `pad` ({left, top, right, bottom})
   clear. */
export function popupLayout(size, pad) {
  var room = size.x - pad.left - pad.right - 50;  /* 50: the popup's own frame */
  return {maxWidth: Math.max(180, Math.min(380, room)), minWidth: Math.min(240, room),
    maxHeight: Math.max(140, Math.min(440, size.y - pad.top - pad.bottom - 70)),
    autoPanPaddingTopLeft: [pad.left, pad.top], autoPanPaddingBottomRight: [pad.right, pad.bottom],
    className: "atlas-leaflet-popup"};
}

/* Whether the controls step aside while a popup is open (a small screen: a popup needs all of it). */
export function smallScreen(size) { return size.x < 600 || size.y < 500; }

/* The boxes of the map's controls shown, in map px. */
function controlBoxes(map) {
  var frame = map.getContainer().getBoundingClientRect();
  return Array.prototype.slice.call(map.getContainer().querySelectorAll(".leaflet-control"))
    .filter(function (e) { return e.offsetParent !== null && !e.parentElement.closest(".leaflet-control"); })
    .map(function (e) {
      var r = e.getBoundingClientRect();
      return {left: r.left - frame.left, top: r.top - frame.top, right: r.right - frame.left, bottom: r.bottom - frame.top};
    })
    .filter(function (b) { return b.right > b.left && b.bottom > b.top; });
}

/* Popups fit in the part of the map the controls leave free; on a small screen the panel closes and the
   controls step aside (class atlas-popup-open) while a popup is open. */
function popupOptions(A) {
  var map = A.map, size = map.getSize(), panel = A.panel;
  if (smallScreen(size)) {
    if (!L.DomUtil.hasClass(panel.root, "atlas-collapsed")) { panel.setOpen(false); }
    return popupLayout(size, controlClearance(size, [], 10));
  }
  return popupLayout(size, controlClearance(size, controlBoxes(map), 10));
}

/* One popup, moved and refilled: going from a list to a feature and back never stacks two popups. */
function showPopup(A, content, latlng) {
  L.DomEvent.disableClickPropagation(content);  /* a click in the popup is not a click on the map */
  A.popup = A.popup || L.popup(popupOptions(A));
  L.setOptions(A.popup, popupOptions(A));
  if (!A.popup.isOpen()) { A.popupView = {center: A.map.getCenter(), zoom: A.map.getZoom(), moved: false}; }
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
  light(A, "selected", [entry.item]);
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
  light(A, "selected", entries.map(function (e) { return e.item; }));
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

/* While a popup is open: a dialog to screen readers, the controls aside on a small screen; closed, the view
   it panned to comes back (unless the reader moved the map meanwhile). */
function bindPopupView(A) {
  var map = A.map, container = map.getContainer(), panning = false;
  /* while a popup is open, a move that is not its own pan into view (a drag, a zoom, a setView) is the
     reader's: the view is then theirs and stays */
  map.on("autopanstart", function () { panning = true; });
  map.on("moveend", function () {
    if (panning) { panning = false; return; }
    if (A.popupView && A.popup && A.popup.isOpen()) { A.popupView.moved = true; }
  });
  map.on("popupopen", function (e) {
    var node = e.popup.getElement();
    if (node) { node.setAttribute("role", "dialog"); node.setAttribute("aria-label", t("popup.dialog")); }
    if (smallScreen(map.getSize())) { L.DomUtil.addClass(container, "atlas-popup-open"); }
  });
  map.on("popupclose", function () {
    L.DomUtil.removeClass(container, "atlas-popup-open");
    light(A, "selected", []);
    var v = A.popupView;
    A.popupView = null;
    /* later, not now: a click that closed it (Leaflet's preclick) may be opening another at this very point */
    setTimeout(function () {
      if (v && !v.moved && !(A.popup && A.popup.isOpen()) && !map.getCenter().equals(v.center, 1e-9)) {
        map.setView(v.center, v.zoom, {animate: false});
      }
    }, 0);
  });
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
      if (ev.originalEvent && ev.originalEvent.timeStamp < staleBefore) { return; }
      var target = ev.originalEvent && ev.originalEvent.target;
      if (target && target.closest && target.closest(".leaflet-control, .leaflet-popup")) {  /* over a control: no note */
        hover.style.display = "none"; light(A, "hover", []); return;
      }
      var hits = hitsAt(A, ev.layerPoint, false), entries = entriesAt(hits), text = hoverText(hits, entries);
      light(A, "hover", [].concat.apply([], hits.areas.map(function (h) { return h.items; })));
      container.style.cursor = entries.length ? "pointer" : "";
      if (!text) { hover.style.display = "none"; return; }
      hover.textContent = text; hover.style.display = "block";
      var x = ev.containerPoint.x + 14, y = ev.containerPoint.y + 14, size = map.getSize();
      hover.style.left = Math.max(0, Math.min(x, size.x - hover.offsetWidth - 4)) + "px";
      hover.style.top = Math.max(0, Math.min(y, size.y - hover.offsetHeight - 4)) + "px";
    });
  });
  map.on("mouseout", function () { hover.style.display = "none"; light(A, "hover", []); });
  /* a popup opening or the map moving makes the note stale: hidden until the pointer moves again */
  var staleBefore = 0;
  map.on("popupopen movestart", function () { hover.style.display = "none"; staleBefore = performance.now(); });
  bindPopupView(A);
  map.on("click", function (e) {
    var hits = hitsAt(A, e.layerPoint), entries = entriesAt(hits);
    if (entries.length) { openItems(A, entries, entries.length === 1 ? entries[0].latlng : e.latlng); return; }
    if (hits.packed.length) { openPacked(A, hits.packed[0], e.latlng); }
  });
  return hover;
}

/* Clear a node and show one feature in it (the list of features without a location). */
export function showItemIn(node, it) { clear(node).appendChild(itemNode(it)); }
