// ESLint for the atlas's ES modules (geo/mapping/static/src) and their node tests (tests/js).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["geo/mapping/static/src/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {...globals.browser, L: "readonly"}
    },
    rules: {
      "no-var": "off",
      "eqeqeq": "error",
      "no-implicit-globals": "error",
      "no-shadow": "error",
      "no-unused-vars": ["error", {args: "after-used"}],
      "no-restricted-properties": ["error", {property: "innerHTML", message: "Text from data goes in through textContent."}],
      "no-restricted-globals": ["error", {name: "fetch", message: "The atlas is offline: it loads nothing."}]
    }
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.node}}
  }
];
