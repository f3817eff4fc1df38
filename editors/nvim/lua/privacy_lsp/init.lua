--- privacy-lsp for Neovim >= 0.11: setup() configures and enables the `privacy_lsp` server
--- (its defaults live in lsp/privacy_lsp.lua beside this plugin).
local M = {}

M.name = 'privacy_lsp'

---@class privacy_lsp.Opts: vim.lsp.Config
---@field cmd? string[]|string The command, or just the path of the binary.
---@field settings? { privacyLsp?: table } Editor settings (language, messageLanguage, jurisdiction, policies, rules).
---@field enable? boolean Call vim.lsp.enable() (default true).

--- The options setup() was last called with, after normalisation (for :checkhealth).
---@type privacy_lsp.Opts
M.opts = {}

--- The binary setup() was given, or the default `privacy-lsp`.
---@return string
function M.binary()
  local cmd = M.opts.cmd or (vim.lsp.config[M.name] or {}).cmd
  if type(cmd) == 'table' and type(cmd[1]) == 'string' then
    return cmd[1]
  end
  return 'privacy-lsp'
end

--- Handler for workspace/diagnostic/refresh: pulls diagnostics again for every buffer the
--- client is attached to.
function M.refresh_diagnostics(_, _, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if client then
    for bufnr in pairs(client.attached_buffers) do
      client:request('textDocument/diagnostic', {
        textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      }, nil, bufnr)
    end
  end
  return vim.NIL
end

---@param opts? privacy_lsp.Opts
function M.setup(opts)
  if vim.fn.has('nvim-0.11') ~= 1 then
    vim.notify('privacy_lsp needs Neovim 0.11 or later', vim.log.levels.ERROR)
    return
  end
  opts = vim.deepcopy(opts or {})
  if type(opts.cmd) == 'string' then
    opts.cmd = { opts.cmd }
  end
  local enable = opts.enable ~= false
  opts.enable = nil
  M.opts = opts
  if vim.fn.has('nvim-0.12') ~= 1 and not vim.lsp.handlers['workspace/diagnostic/refresh'] then
    -- Neovim 0.11 pulls diagnostics but has no handler for workspace/diagnostic/refresh, which
    -- the server sends when privacy-lsp.toml or the settings change: pull again by hand.
    opts.handlers = vim.tbl_extend('keep', opts.handlers or {}, {
      ['workspace/diagnostic/refresh'] = M.refresh_diagnostics,
    })
  end
  -- Merged with lsp/privacy_lsp.lua from the runtimepath: settings deeply, the rest replaced.
  vim.lsp.config(M.name, opts)
  if enable then
    vim.lsp.enable(M.name)
  end
end

return M
