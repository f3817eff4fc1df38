---@brief
---
--- https://github.com/privacy-lsp/privacy-lsp
---
--- Language server for GDPR privacy policies (personvernerklæringer) in Norwegian Bokmål,
--- Nynorsk and English, written as Markdown or plain text. It checks what GDPR Art. 13/14
--- requires (controller, contact, purposes, legal bases, rights, retention, transfers, ...),
--- hovers and completes article references, and offers quick fixes.
---
--- Install the server from a checkout of the repository (it needs a Rust toolchain):
--- ```sh
--- cargo install --path .
--- ```
--- This puts `privacy-lsp` on your PATH.
---
--- The server only reports on files that read as privacy policies (by name, such as
--- `personvern.md` or `privacy.md`, by content, or by the `policies` globs in
--- `privacy-lsp.toml`); other Markdown and text files get no diagnostics.
---
--- A `privacy-lsp.toml` in the project overrides these settings, rule by rule:
--- ```lua
--- vim.lsp.config('privacy_lsp', {
---   settings = {
---     privacyLsp = {
---       language = 'auto',         -- auto, nb, nn, en: the language to read policies in
---       messageLanguage = 'auto',  -- auto, nb, nn, en: the language of messages
---       jurisdiction = 'NO',       -- the supervisory authority named first
---       policies = { 'docs/personvern*.md' },
---       rules = { ['dpo-contact'] = 'off' },
---     },
---   },
--- })
--- ```

local settings = {
  privacyLsp = {
    language = 'auto',
    messageLanguage = 'auto',
    jurisdiction = 'NO',
    rules = vim.empty_dict(),
  },
}

---@type vim.lsp.Config
return {
  cmd = { 'privacy-lsp' },
  filetypes = { 'markdown', 'text' },
  root_markers = { 'privacy-lsp.toml', '.git' },
  settings = settings,
  init_options = settings,
  before_init = function(params, config)
    -- Send the settings as they stand after the user's vim.lsp.config() too, so that
    -- initializationOptions always mirror settings.
    if config.settings and config.settings.privacyLsp then
      params.initializationOptions = { privacyLsp = config.settings.privacyLsp }
    end
  end,
}
