--- :checkhealth privacy_lsp
local M = {}

function M.check()
  local health = vim.health
  local plugin = require('privacy_lsp')

  health.start('Neovim')
  local v = vim.version()
  local version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. version .. ' (vim.lsp.config and vim.lsp.enable are available)')
  else
    health.error('Neovim ' .. version .. ' is too old', { 'privacy_lsp needs Neovim 0.11 or later' })
  end

  health.start('privacy-lsp binary')
  local binary = plugin.binary()
  local path = vim.fn.exepath(binary)
  if path == '' then
    health.error(binary .. ' not found (not on PATH and not an executable file)', {
      'Install it: `cargo install --path .` in a checkout of privacy-lsp',
      "Or give its path: require('privacy_lsp').setup({ cmd = { '/path/to/privacy-lsp' } })",
    })
  else
    health.ok('Found ' .. path)
    local ok, result = pcall(function()
      return vim.system({ path, '--version' }, { text = true }):wait(5000)
    end)
    if ok and result.code == 0 then
      health.ok('`privacy-lsp --version`: ' .. vim.trim(result.stdout or ''))
    else
      local why = ok and ('exit ' .. tostring(result.code) .. ' ' .. vim.trim(result.stderr or ''))
        or tostring(result)
      health.error('`' .. path .. ' --version` failed: ' .. why)
    end
  end

  health.start('Project')
  local cwd = vim.fn.getcwd()
  local found = vim.fs.find('privacy-lsp.toml', { upward = true, path = cwd, type = 'file' })[1]
  if found then
    health.ok('privacy-lsp.toml: ' .. found)
  else
    health.info(
      'No privacy-lsp.toml at or above ' .. cwd
        .. ': the server uses its defaults and your editor settings; the root is the nearest .git'
    )
  end

  health.start('Language server')
  local config = vim.lsp.config[plugin.name]
  if config then
    health.ok('Configured: cmd = ' .. vim.inspect(config.cmd) .. ', filetypes = ' .. vim.inspect(config.filetypes))
  else
    health.warn('No configuration named privacy_lsp', {
      'Add editors/nvim to the runtimepath, or copy lsp/privacy_lsp.lua into your config',
    })
  end
  if vim.lsp.is_enabled and not vim.lsp.is_enabled(plugin.name) then
    health.info("Not enabled: call require('privacy_lsp').setup() or vim.lsp.enable('privacy_lsp')")
  end
  local clients = vim.lsp.get_clients({ name = plugin.name })
  if #clients == 0 then
    health.info('No running client (it starts when you open a Markdown or text file)')
  end
  for _, client in ipairs(clients) do
    health.ok(string.format('Client %d running, root %s', client.id, client.root_dir or '(none)'))
  end
end

return M
