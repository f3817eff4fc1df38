-- privacy-lsp: nothing starts until require('privacy_lsp').setup() or
-- vim.lsp.enable('privacy_lsp') is called. This file only adds a command.
if vim.g.loaded_privacy_lsp then
  return
end
vim.g.loaded_privacy_lsp = true

vim.api.nvim_create_user_command('PrivacyLspSetup', function()
  require('privacy_lsp').setup()
end, { desc = 'Configure and enable the privacy-lsp language server with default settings' })
