// Finding the privacy-lsp binary: the setting, then the binary bundled in this
// platform-specific VSIX, then PATH. Pure: every file system and environment access is
// passed in, so that the unit tests can run without VS Code.

import * as path from "node:path";

/** Where the binary came from. */
export type Source = "setting" | "bundled" | "path";

export type Resolution =
  | { ok: true; path: string; source: Source }
  | { ok: false; message: string; tried: string[] };

export interface ResolveInput {
  /** `privacyLsp.server.path` as written ("" or undefined when unset). */
  configured?: string;
  /** The extension's install folder (`ExtensionContext.extensionPath`). */
  extensionPath: string;
  /** `process.platform`. */
  platform: string;
  /** `process.arch`. */
  arch: string;
  /** The PATH environment variable. */
  envPath?: string;
  /** The user's home folder, for a leading `~`. */
  home?: string;
  /** The first workspace folder, for relative paths and `${workspaceFolder}`. */
  workspaceFolder?: string;
  /** Whether `file` exists and is an executable file. */
  isExecutable: (file: string) => boolean;
}

/** The binary's file name on a platform. */
export function binaryName(platform: string): string {
  return platform === "win32" ? "privacy-lsp.exe" : "privacy-lsp";
}

/** The folder under `server/` a platform-specific VSIX carries its binary in. */
export function bundledDir(platform: string, arch: string): string {
  return `${platform}-${arch}`;
}

/**
 * The `server/<platform>-<arch>` folder for a `vsce --target` (alpine-x64 runs as
 * linux-x64), or undefined for an unknown target.
 */
export function dirForVsceTarget(target: string): string | undefined {
  const m = /^(win32|linux|alpine|darwin)-(x64|arm64|armhf)$/.exec(target);
  if (!m) return undefined;
  const platform = m[1] === "alpine" ? "linux" : m[1];
  const arch = m[2] === "armhf" ? "arm" : m[2];
  return bundledDir(platform, arch);
}

/** `~`, `${userHome}` and `${workspaceFolder}` expanded; a relative path is taken from the workspace folder. */
export function expandPath(
  value: string,
  home: string | undefined,
  workspaceFolder: string | undefined,
  pathApi: typeof path.posix = path,
): string {
  let out = value.trim();
  if (home) {
    out = out.replace(/\$\{userHome\}/g, home);
    if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) out = home + out.slice(1);
  }
  if (workspaceFolder) out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (!pathApi.isAbsolute(out) && workspaceFolder && /[\\/]/.test(out)) {
    out = pathApi.join(workspaceFolder, out);
  }
  return out;
}

/** Searches PATH for `name` the way a shell would (first hit wins). */
export function searchPath(
  name: string,
  envPath: string | undefined,
  platform: string,
  isExecutable: (file: string) => boolean,
): { found?: string; tried: string[] } {
  const tried: string[] = [];
  const sep = platform === "win32" ? ";" : ":";
  const api = platform === "win32" ? path.win32 : path.posix;
  for (const dir of (envPath ?? "").split(sep)) {
    if (!dir) continue;
    const candidate = api.join(dir, name);
    tried.push(candidate);
    if (isExecutable(candidate)) return { found: candidate, tried };
  }
  return { tried };
}

/** Resolves the server binary: setting → bundled → PATH, or a message that says what to do. */
export function resolveServer(input: ResolveInput): Resolution {
  const api = input.platform === "win32" ? path.win32 : path.posix;
  const name = binaryName(input.platform);
  const configured = input.configured?.trim();
  if (configured) {
    const expanded = expandPath(configured, input.home, input.workspaceFolder, api);
    // A bare name ("privacy-lsp") is looked up on PATH, like a shell would.
    if (!/[\\/]/.test(expanded)) {
      const hit = searchPath(expanded, input.envPath, input.platform, input.isExecutable);
      if (hit.found) return { ok: true, path: hit.found, source: "setting" };
      return {
        ok: false,
        tried: hit.tried,
        message: `privacyLsp.server.path is "${configured}", which is not on PATH. Set it to the full path of the privacy-lsp binary, or clear it to use the bundled one.`,
      };
    }
    if (input.isExecutable(expanded)) return { ok: true, path: expanded, source: "setting" };
    return {
      ok: false,
      tried: [expanded],
      message: `privacyLsp.server.path is "${configured}", but ${expanded} is not an executable file. Fix the setting, or clear it to use the bundled binary or the one on PATH.`,
    };
  }
  const tried: string[] = [];
  const bundled = api.join(input.extensionPath, "server", bundledDir(input.platform, input.arch), name);
  tried.push(bundled);
  if (input.isExecutable(bundled)) return { ok: true, path: bundled, source: "bundled" };
  const hit = searchPath(name, input.envPath, input.platform, input.isExecutable);
  tried.push(...hit.tried);
  if (hit.found) return { ok: true, path: hit.found, source: "path" };
  return {
    ok: false,
    tried,
    message:
      `privacy-lsp: no server binary found. This VSIX has none for ${input.platform}-${input.arch} and ${name} is not on PATH. ` +
      "Install it (cargo install --path . in the privacy-lsp repository) or set privacyLsp.server.path.",
  };
}
