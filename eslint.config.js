// ESLint for the browser code (static/js, plain ES modules loaded as they are) and its tests.
// `npm ci && npm run lint`. The reader's modules in static/js/lesson/ get no browser globals:
// they are handed the window, storage, fetch and clock they use, so `node --test` can run them
// and only main.js (the entry point) reaches for the page's own.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "test-artifacts/"] },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `const { unsaved, ...saved } = a` is how a copy without some keys is made
      "no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  {
    files: ["static/js/**/*.js"],
    languageOptions: { sourceType: "module" },
  },
  {
    // page scripts, and the reader's entry point
    files: ["static/js/*.js", "static/js/lesson/main.js", "static/js/author/main.js", "static/js/author/paste.js",
      "static/js/feedback/main.js"],
    ignores: ["static/js/sw.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["static/js/sw.js"],
    languageOptions: { sourceType: "script", globals: globals.serviceworker },
  },
  {
    // the reader's modules: only what the browser and Node both have; the window, storage,
    // fetch and clock come in as arguments (globals merge across blocks, so none are given above)
    files: ["static/js/lesson/**/*.js", "static/js/author/**/*.js"],
    ignores: ["static/js/lesson/main.js", "static/js/author/main.js", "static/js/author/paste.js"],
    languageOptions: { globals: { ...globals.es2021, EventTarget: "readonly", CustomEvent: "readonly" } },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
