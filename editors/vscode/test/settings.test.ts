import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SERVER_KEYS, configurationAnswer, describeLens, needsRestart, objectGetter, toServerSettings } from "../src/settings";

test("defaults map to the server's defaults, without empty values", () => {
  const s = toServerSettings(objectGetter({ language: "auto", messageLanguage: "auto", jurisdiction: "NO", policies: [], rules: {} }));
  assert.deepEqual(s, { language: "auto", messageLanguage: "auto", jurisdiction: "NO" });
});

test("client-only keys never reach the server (it rejects unknown keys)", () => {
  const s = toServerSettings(objectGetter({ language: "nn", server: { path: "/x" }, trace: { server: "verbose" }, "server.path": "/y" }));
  assert.deepEqual(s, { language: "nn" });
  for (const k of Object.keys(s)) assert.ok((SERVER_KEYS as readonly string[]).includes(k), k);
});

test("values are trimmed and normalised; junk is dropped", () => {
  const s = toServerSettings(objectGetter({
    jurisdiction: " se ", messageLanguage: "", policies: ["docs/personvern*.md", "", 3],
    rules: { "dpo-contact": "OFF", "retention-vague": " warning ", bad: 1 },
  }));
  assert.deepEqual(s, { jurisdiction: "SE", policies: ["docs/personvern*.md"], rules: { "dpo-contact": "off", "retention-vague": "warning" } });
});

test("workspace/configuration: the privacyLsp section gets server settings, others pass through", () => {
  const get = objectGetter({ language: "en", trace: { server: "messages" } });
  assert.deepEqual(configurationAnswer("privacyLsp", get, { language: "en", trace: { server: "messages" } }), { language: "en" });
  assert.deepEqual(configurationAnswer(undefined, get, null), { privacyLsp: { language: "en" } });
  assert.deepEqual(configurationAnswer("editor", get, { tabSize: 2 }), { tabSize: 2 });
});

test("only a change of the binary restarts the server", () => {
  assert.equal(needsRestart((s) => s === "privacyLsp.server.path"), true);
  assert.equal(needsRestart((s) => s === "privacyLsp.rules"), false);
});

test("the code lens title tells the status bar the language and coverage", () => {
  assert.deepEqual(describeLens("Art. 13: 11 av 14 punkt"), { language: "nb/nn", coverage: "11/14" });
  assert.deepEqual(describeLens("Art. 13: 14 of 14 items"), { language: "en", coverage: "14/14" });
  assert.deepEqual(describeLens("something else"), {});
  assert.deepEqual(describeLens(undefined), {});
});

test("package.json declares every server key and every rule id of rules.toml", () => {
  const root = path.resolve(__dirname, "..", "..");
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const props = pkg.contributes.configuration.properties;
  for (const k of SERVER_KEYS) assert.ok(props[`privacyLsp.${k}`], k);
  assert.deepEqual(props["privacyLsp.language"].enum, ["auto", "nb", "nn", "en"]);
  assert.deepEqual(props["privacyLsp.trace.server"].enum, ["off", "messages", "verbose"]);
  const rulesToml = path.resolve(root, "..", "..", "src", "knowledge", "data", "rules.toml");
  if (fs.existsSync(rulesToml)) {
    const ids = [...fs.readFileSync(rulesToml, "utf8").matchAll(/^\[([a-z-]+)\]$/gm)].map((m) => m[1]);
    assert.ok(ids.length > 20);
    assert.deepEqual(Object.keys(props["privacyLsp.rules"].properties).sort(), ids.sort());
  }
});
