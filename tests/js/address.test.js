// "Where I checked" (static/js/lesson/address.js) runs the cases the server runs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { webAddress } from "../../static/js/lesson/address.js";

const { cases } = JSON.parse(readFileSync(new URL("../data/web_address_cases.json", import.meta.url), "utf-8"));

for (const c of cases) {
  test(c.why, () => { assert.equal(webAddress(c.typed), c.stored); });
}
