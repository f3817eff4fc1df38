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
  -- Merged with lsp/privacy_lsp.lua from the runtimepath: settings deeply, the rest replaced.
  vim.lsp.config(M.name, opts)
  if enable then
    vim.lsp.enable(M.name)
  end
end

return M
