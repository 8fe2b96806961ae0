import assert from "node:assert/strict";
import {test} from "node:test";

import {num, setWords, t} from "../../geo/mapping/static/src/words.js";

const EN = {hello: "Hello {name}", plain: "Plain", here: {one: "{n} feature here", other: "{n} features here"}};

test("a word is looked up and its placeholders filled", () => {
  setWords(EN, "en");
  assert.equal(t("plain"), "Plain");
  assert.equal(t("hello", {name: "Almaty"}), "Hello Almaty");
});

test("an unknown word throws, naming the key and the table", () => {
  setWords(EN, "en");
  assert.throws(() => t("nope"), /no word "nope".*words\.py/);
});

test("a missing placeholder throws instead of leaving a blank", () => {
  setWords(EN, "en");
  assert.throws(() => t("hello", {}), /needs \{name\}/);
});

test("plural forms follow the language's rules (English one/other, Russian one/few/many)", () => {
  setWords(EN, "en");
  assert.equal(t("here", {n: 1}), "1 feature here");
  assert.equal(t("here", {n: 3}), "3 features here");
  assert.throws(() => t("here"), /needs a number n/);
  setWords({here: {one: "{n} объект", few: "{n} объекта", many: "{n} объектов", other: "{n} объекта"}}, "ru");
  assert.equal(t("here", {n: 21}), "21 объект");
  assert.equal(t("here", {n: 3}), "3 объекта");
  assert.equal(t("here", {n: 11}), "11 объектов");
});

test("numbers are written for the page's language", () => {
  setWords(EN, "en");
  assert.equal(num(1234567), "1,234,567");
});
