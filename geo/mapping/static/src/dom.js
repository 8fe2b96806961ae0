/* Small DOM helpers. Text from data only ever goes into the page through textContent, never innerHTML. */

export function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) { e.className = cls; }
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  return e;
}

var SVGNS = "http://www.w3.org/2000/svg";
export function svgEl(tag, attrs) {
  var e = document.createElementNS(SVGNS, tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  return e;
}

/* Only http(s) links become links; anything else is shown as text. */
export function safeUrl(u) { return /^https?:\/\/[^\s]+$/i.test(u || "") ? u : null; }

export function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
