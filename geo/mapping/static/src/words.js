/* The page's words. Every interface string arrives as data from geo/mapping/words.py (the one source, to be
   translated there) and is looked up here; an unknown key or a missing placeholder is an error, never a blank. */

var table = null;
var lang = "en";
var rules = null;

/* Install the words of the page: `words` maps a key to a text, or to plural forms by CLDR category
   ({one, other}, {one, few, many, other}...), chosen for `language` with Intl.PluralRules. */
export function setWords(words, language) {
  table = words;
  lang = language || "en";
  rules = new Intl.PluralRules(lang);
}

function fill(key, text, params) {
  return text.replace(/\{(\w+)\}/g, function (m, name) {
    if (!params || !Object.prototype.hasOwnProperty.call(params, name)) {
      throw new Error("atlas: the word " + JSON.stringify(key) + " needs {" + name + "}");
    }
    return String(params[name]);
  });
}

/* The text of `key`, with {name} placeholders filled from `params`; a plural word chooses its form by params.n. */
export function t(key, params) {
  if (table === null) { throw new Error("atlas: no words installed (setWords)"); }
  if (!Object.prototype.hasOwnProperty.call(table, key)) {
    throw new Error("atlas: no word " + JSON.stringify(key) + "; add it to geo/mapping/words.py");
  }
  var text = table[key];
  if (typeof text !== "string") {
    if (!params || typeof params.n !== "number") {
      throw new Error("atlas: the plural word " + JSON.stringify(key) + " needs a number n");
    }
    var form = rules.select(params.n);
    text = Object.prototype.hasOwnProperty.call(text, form) ? text[form] : text.other;
    if (typeof text !== "string") { throw new Error("atlas: the word " + JSON.stringify(key) + " has no form " + form); }
  }
  return fill(key, text, params);
}

/* A number written for the page's language (thousands separated). */
export function num(n) { return Number(n).toLocaleString(lang); }
