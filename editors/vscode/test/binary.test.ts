import { test } from "node:test";
import * as assert from "node:assert/strict";
import { binaryName, dirForVsceTarget, expandPath, resolveServer, searchPath } from "../src/binary";

const base = {
  extensionPath: "/ext",
  platform: "linux",
  arch: "x64",
  envPath: "/usr/local/bin:/usr/bin",
  home: "/home/ana",
  workspaceFolder: "/ws",
};
const only = (...files: string[]) => (f: string) => files.includes(f);

test("the setting wins over the bundled binary and PATH", () => {
  const r = resolveServer({ ...base, configured: "/opt/privacy-lsp", isExecutable: only("/opt/privacy-lsp", "/ext/server/linux-x64/privacy-lsp", "/usr/bin/privacy-lsp") });
  assert.deepEqual(r, { ok: true, path: "/opt/privacy-lsp", source: "setting" });
});

test("a setting that points nowhere is an error, not a silent fallback", () => {
  const r = resolveServer({ ...base, configured: "~/bin/privacy-lsp", isExecutable: only("/ext/server/linux-x64/privacy-lsp") });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /privacyLsp\.server\.path/);
    assert.deepEqual(r.tried, ["/home/ana/bin/privacy-lsp"]);
  }
});

test("a bare name in the setting is looked up on PATH", () => {
  const r = resolveServer({ ...base, configured: "privacy-lsp-dev", isExecutable: only("/usr/bin/privacy-lsp-dev") });
  assert.deepEqual(r, { ok: true, path: "/usr/bin/privacy-lsp-dev", source: "setting" });
});

test("a relative setting is taken from the workspace folder", () => {
  const r = resolveServer({ ...base, configured: "target/release/privacy-lsp", isExecutable: only("/ws/target/release/privacy-lsp") });
  assert.deepEqual(r, { ok: true, path: "/ws/target/release/privacy-lsp", source: "setting" });
  assert.equal(expandPath("${workspaceFolder}/x", "/h", "/ws"), "/ws/x");
  assert.equal(expandPath("${userHome}/x", "/h", "/ws"), "/h/x");
});

test("the bundled binary comes before PATH", () => {
  const r = resolveServer({ ...base, isExecutable: only("/ext/server/linux-x64/privacy-lsp", "/usr/bin/privacy-lsp") });
  assert.deepEqual(r, { ok: true, path: "/ext/server/linux-x64/privacy-lsp", source: "bundled" });
});

test("an empty setting falls through to PATH, first hit wins", () => {
  const r = resolveServer({ ...base, configured: "  ", isExecutable: only("/usr/local/bin/privacy-lsp", "/usr/bin/privacy-lsp") });
  assert.deepEqual(r, { ok: true, path: "/usr/local/bin/privacy-lsp", source: "path" });
});

test("nothing found: a message that says what to do, and everything tried", () => {
  const r = resolveServer({ ...base, isExecutable: () => false });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /no server binary found/);
    assert.match(r.message, /privacyLsp\.server\.path/);
    assert.deepEqual(r.tried, ["/ext/server/linux-x64/privacy-lsp", "/usr/local/bin/privacy-lsp", "/usr/bin/privacy-lsp"]);
  }
});

test("Windows: .exe, ; in PATH, backslashes", () => {
  assert.equal(binaryName("win32"), "privacy-lsp.exe");
  const r = resolveServer({
    ...base, platform: "win32", extensionPath: "C:\\ext", envPath: "C:\\a;C:\\tools", home: "C:\\Users\\ana", workspaceFolder: "C:\\ws",
    isExecutable: only("C:\\tools\\privacy-lsp.exe"),
  });
  assert.deepEqual(r, { ok: true, path: "C:\\tools\\privacy-lsp.exe", source: "path" });
  const b = resolveServer({ ...base, platform: "win32", arch: "arm64", extensionPath: "C:\\ext", isExecutable: only("C:\\ext\\server\\win32-arm64\\privacy-lsp.exe") });
  assert.equal(b.ok && b.source, "bundled");
});

test("empty PATH entries are skipped", () => {
  assert.deepEqual(searchPath("p", "::/bin:", "linux", () => false).tried, ["/bin/p"]);
});

test("vsce targets map to the folder the extension looks in", () => {
  assert.equal(dirForVsceTarget("linux-x64"), "linux-x64");
  assert.equal(dirForVsceTarget("alpine-arm64"), "linux-arm64");
  assert.equal(dirForVsceTarget("darwin-arm64"), "darwin-arm64");
  assert.equal(dirForVsceTarget("win32-x64"), "win32-x64");
  assert.equal(dirForVsceTarget("web"), undefined);
});
