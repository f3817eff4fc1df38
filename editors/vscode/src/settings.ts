// The editor's `privacyLsp.*` settings mapped to what the server accepts. The server rejects
// unknown keys (serde deny_unknown_fields), so the client-only keys (`server`, `trace`)
// never reach it, and empty values are left out so the server's defaults apply.

export const SECTION = "privacyLsp";

export const LANGUAGES = ["auto", "nb", "nn", "en"] as const;
export const SEVERITIES = ["off", "error", "warning", "information", "hint"] as const;

/** The keys the server reads, in the server's camelCase spelling. */
export const SERVER_KEYS = ["language", "messageLanguage", "jurisdiction", "policies", "rules"] as const;

export interface ServerSettings {
  language?: string;
  messageLanguage?: string;
  jurisdiction?: string;
  policies?: string[];
  rules?: Record<string, string>;
}

/** Anything with a `get(key)`, such as a `WorkspaceConfiguration` or a plain object. */
export type Getter = (key: string) => unknown;

/** A getter over a plain object (nested or with dotted keys, as in settings.json). */
export function objectGetter(obj: Record<string, unknown> | undefined): Getter {
  return (key) => {
    if (!obj) return undefined;
    if (key in obj) return obj[key];
    let cur: unknown = obj;
    for (const part of key.split(".")) {
      if (cur === null || typeof cur !== "object") return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
  };
}

/** The settings for the server, from `privacyLsp.*`. */
export function toServerSettings(get: Getter): ServerSettings {
  const out: ServerSettings = {};
  for (const key of ["language", "messageLanguage"] as const) {
    const v = get(key);
    if (typeof v === "string" && v.trim()) out[key] = v.trim();
  }
  const j = get("jurisdiction");
  if (typeof j === "string" && j.trim()) out.jurisdiction = j.trim().toUpperCase();
  const p = get("policies");
  if (Array.isArray(p)) {
    const globs = p.filter((g): g is string => typeof g === "string" && g.trim() !== "").map((g) => g.trim());
    if (globs.length) out.policies = globs;
  }
  const r = get("rules");
  if (r && typeof r === "object" && !Array.isArray(r)) {
    const rules: Record<string, string> = {};
    for (const [id, sev] of Object.entries(r as Record<string, unknown>)) {
      if (typeof sev === "string" && sev.trim()) rules[id.trim()] = sev.trim().toLowerCase();
    }
    if (Object.keys(rules).length) out.rules = rules;
  }
  return out;
}

/**
 * The answer to one `workspace/configuration` item: the server settings for the
 * `privacyLsp` section (or the whole configuration, when no section is named), otherwise
 * what VS Code gave.
 */
export function configurationAnswer(section: string | undefined, get: Getter, fallback: unknown): unknown {
  if (section === SECTION) return toServerSettings(get);
  if (section === undefined || section === "") return { [SECTION]: toServerSettings(get) };
  return fallback;
}

/** Whether a configuration change needs the server restarted (the binary changed). */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects(`${SECTION}.server.path`);
}

/** "Art. 13: 11 av 14 punkt" / "Art. 13: 11 of 14 items" → what the status bar shows. */
export function describeLens(title: string | undefined): { language?: string; coverage?: string } {
  if (!title) return {};
  const m = /Art\.\s*13:\s*(\d+)\s+(av|of)\s+(\d+)/.exec(title);
  if (!m) return {};
  return { language: m[2] === "of" ? "en" : "nb/nn", coverage: `${m[1]}/${m[3]}` };
}
