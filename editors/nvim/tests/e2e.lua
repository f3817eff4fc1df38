-- End-to-end test of the Neovim integration against the real server, headless:
--
--   PRIVACY_LSP=target/release/privacy-lsp nvim --headless --clean -u NONE -l editors/nvim/tests/e2e.lua
--
-- Environment: PRIVACY_LSP (the server, default target/release/privacy-lsp), PRIVACY_LSP_CORPUS
-- (the folder with seeds.expected.json and seeds/, default ../shared/corpus beside the repo),
-- PRIVACY_LSP_SEED (the seed file name, default 000_565040bd1de303e2.txt).
-- Exits 0 when every check passes, 1 otherwise; prints the time each step took.

local uv = vim.uv or vim.loop
local t_start = uv.hrtime()

local here = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p')))
local plugin_dir = vim.fs.dirname(here) -- editors/nvim
local repo = vim.fs.dirname(vim.fs.dirname(plugin_dir))

local function abs(p)
  if p:sub(1, 1) == '/' then
    return p
  end
  return vim.fs.normalize(vim.fn.getcwd() .. '/' .. p)
end

local server = abs(os.getenv('PRIVACY_LSP') or (repo .. '/target/release/privacy-lsp'))
local corpus = abs(os.getenv('PRIVACY_LSP_CORPUS') or (vim.fs.dirname(repo) .. '/shared/corpus'))
local seed_name = os.getenv('PRIVACY_LSP_SEED') or '000_565040bd1de303e2.txt'
local TIMEOUT = tonumber(os.getenv('PRIVACY_LSP_TIMEOUT') or '') or 15000

local passed, failed = 0, 0
local function log(fmt, ...)
  io.stdout:write(string.format(fmt, ...) .. '\n')
end
local function check(ok, what, detail)
  if ok then
    passed = passed + 1
    log('  ok    %s', what)
  else
    failed = failed + 1
    log('  FAIL  %s%s', what, detail and (': ' .. detail) or '')
  end
  return ok
end
local function fatal(msg)
  log('FATAL: %s', msg)
  log('e2e: %d passed, %d failed (aborted) in %.2f s', passed, failed + 1, (uv.hrtime() - t_start) / 1e9)
  os.exit(1)
end

local t_step = uv.hrtime()
local function step(name)
  local now = uv.hrtime()
  log('[%7.3f s] %s', (now - t_step) / 1e9, name)
  t_step = now
end

local function read(path)
  local f = io.open(path, 'rb')
  if not f then
    fatal('cannot read ' .. path)
  end
  local s = f:read('*a')
  f:close()
  return s
end

local function main()
  log('nvim %s, server %s', tostring(vim.version()), server)
  if vim.fn.executable(server) ~= 1 then
    fatal('server not executable: ' .. server .. ' (build it, or set PRIVACY_LSP)')
  end
  vim.cmd('filetype on')
  vim.opt.runtimepath:prepend(plugin_dir)

  -- The seed and what it must yield.
  local expected = vim.json.decode(read(corpus .. '/seeds.expected.json'))[seed_name]
  if not expected then
    fatal('no expectations for ' .. seed_name)
  end
  local text = read(corpus .. '/seeds/' .. seed_name)

  local hover_line = 'Grunnlaget er artikkel 6 nr. 1 bokstav f.'
  local shield_line = 'Vi bruker leverandører sertifisert under Privacy Shield.'
  local complete_line = 'Grunnlaget er artikkel 6 nr. 1 bokstav '
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local toml = io.open(dir .. '/privacy-lsp.toml', 'w')
  toml:write('jurisdiction = "NO"\n')
  toml:close()
  local path = dir .. '/personvern.md'
  local f = io.open(path, 'wb')
  f:write(text:gsub('%s*$', ''), '\n\n', hover_line, '\n\n', shield_line, '\n\n', complete_line, '\n')
  f:close()

  -- PRIVACY_LSP_FULL_SYNC=1 sends whole documents on change (a workaround, see README).
  local full_sync = os.getenv('PRIVACY_LSP_FULL_SYNC') == '1'
  require('privacy_lsp').setup({ cmd = { server }, flags = full_sync and { allow_incremental_sync = false } or nil })
  if full_sync then
    log('full document sync (PRIVACY_LSP_FULL_SYNC=1)')
  end
  step('setup')

  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'markdown', 'personvern.md has filetype markdown', vim.bo[buf].filetype)

  local client
  vim.wait(TIMEOUT, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'privacy_lsp' })[1]
    return client ~= nil and client.initialized
  end, 10)
  if not client then
    fatal('privacy_lsp did not attach within ' .. TIMEOUT .. ' ms')
  end
  check(client.root_dir == dir, 'root_dir is the folder with privacy-lsp.toml', tostring(client.root_dir))
  step('attached (' .. client.offset_encoding .. ')')

  -- Diagnostics.
  local function diags()
    return vim.diagnostic.get(buf)
  end
  local function codes()
    local set = {}
    for _, d in ipairs(diags()) do
      set[tostring(d.code)] = true
    end
    return set
  end
  local ok = vim.wait(TIMEOUT, function()
    return #diags() > 0
  end, 10)
  if not ok then
    fatal('no diagnostics within ' .. TIMEOUT .. ' ms')
  end
  step(string.format('diagnostics arrived (%d)', #diags()))

  for _, want in ipairs(expected.must_find) do
    local found = false
    for _, d in ipairs(diags()) do
      if d.code == want.rule and (not want.subject or d.message:lower():find(want.subject:lower(), 1, true)) then
        found = true
      end
    end
    check(found, 'must_find ' .. want.rule .. (want.subject and (' (' .. want.subject .. ')') or ''))
  end
  for _, unwanted in ipairs(expected.must_not_find or {}) do
    local found = false
    for _, d in ipairs(diags()) do
      if d.code == unwanted.rule and (not unwanted.subject or d.message:lower():find(unwanted.subject:lower(), 1, true)) then
        found = true
      end
    end
    check(not found, 'must_not_find ' .. unwanted.rule .. (unwanted.subject and (' (' .. unwanted.subject .. ')') or ''))
  end

  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local inside, bad = true, nil
  for _, d in ipairs(diags()) do
    local end_lnum, end_col = d.end_lnum or d.lnum, d.end_col or d.col
    local ok_range = d.lnum >= 0
      and end_lnum < #lines
      and (d.lnum < end_lnum or d.col <= end_col)
      and d.col <= #lines[d.lnum + 1]
      and end_col <= #lines[end_lnum + 1]
    if not ok_range then
      inside, bad = false, string.format('%s at %d:%d-%d:%d', d.code, d.lnum, d.col, end_lnum, end_col)
    end
  end
  check(inside, 'every diagnostic range lies inside the buffer', bad)

  local shield_lnum
  for i, l in ipairs(lines) do
    if l == shield_line then
      shield_lnum = i - 1
    end
  end
  local function shield_outdated()
    for _, d in ipairs(diags()) do
      if d.code == 'outdated-reference' and d.lnum == shield_lnum then
        return d
      end
    end
  end
  local sd = shield_outdated()
  -- "leverandører" has two bytes per "ø": a byte column shows the position encoding worked.
  local col = assert(shield_line:find('Privacy Shield', 1, true)) - 1
  check(
    sd ~= nil and sd.col == col and sd.end_col == col + #'Privacy Shield',
    string.format('outdated-reference on "Privacy Shield" at line %d, bytes %d-%d', shield_lnum + 1, col, col + 14),
    sd and string.format('got %d:%d-%d', sd.lnum, sd.col, sd.end_col) or 'no such diagnostic'
  )

  -- Hover on the article reference.
  local hover_lnum
  for i, l in ipairs(lines) do
    if l == hover_line then
      hover_lnum = i - 1
    end
  end
  vim.api.nvim_win_set_cursor(0, { hover_lnum + 1, hover_line:find('artikkel', 1, true) + 2 })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local t0 = uv.hrtime()
  local res = client:request_sync('textDocument/hover', params, TIMEOUT, buf)
  local hover = res and res.result and res.result.contents
  local hover_text = type(hover) == 'table' and (hover.value or vim.inspect(hover)) or tostring(hover)
  check(hover_text:find('Behandlingens lovlighet', 1, true) ~= nil, 'hover on "artikkel 6 nr. 1 bokstav f" shows "Behandlingens lovlighet"', hover_text:sub(1, 120))
  step(string.format('hover (%.1f ms)', (uv.hrtime() - t0) / 1e6))

  -- Completion after "bokstav ".
  local complete_lnum = #lines - 1
  while lines[complete_lnum + 1] ~= complete_line do
    complete_lnum = complete_lnum - 1
  end
  t0 = uv.hrtime()
  res = client:request_sync('textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = complete_lnum, character = #complete_line }, -- ASCII: same in every encoding
    context = { triggerKind = 2, triggerCharacter = ' ' },
  }, TIMEOUT, buf)
  local items = res and res.result and (res.result.items or res.result) or {}
  -- The label reads "f berettiget interesse"; what it inserts is "f (berettiget interesse)".
  local inserts, chosen = {}, nil
  for _, item in ipairs(items) do
    local insert = (item.textEdit and item.textEdit.newText) or item.insertText or item.label
    inserts[#inserts + 1] = insert
    if insert == 'f (berettiget interesse)' then
      chosen = item
    end
  end
  check(chosen ~= nil, 'completion after "bokstav " offers an item inserting "f (berettiget interesse)"', table.concat(inserts, ', '))
  if chosen then
    check(chosen.label:find('berettiget interesse', 1, true) ~= nil, 'its label names the basis', chosen.label)
  end
  step(string.format('completion (%.1f ms, %d items)', (uv.hrtime() - t0) / 1e6, #items))

  -- Code action on the Privacy Shield line, applied.
  local lsp_diags = {}
  for _, d in ipairs(diags()) do
    if d.lnum == shield_lnum and d.user_data and d.user_data.lsp then
      lsp_diags[#lsp_diags + 1] = d.user_data.lsp
    end
  end
  t0 = uv.hrtime()
  res = client:request_sync('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = sd and sd.user_data and sd.user_data.lsp and sd.user_data.lsp.range
      or { start = { line = shield_lnum, character = 0 }, ['end'] = { line = shield_lnum, character = 0 } },
    context = { diagnostics = lsp_diags, only = { 'quickfix' } },
  }, TIMEOUT, buf)
  local actions = res and res.result or {}
  local titles, action = {}, nil
  for _, a in ipairs(actions) do
    titles[#titles + 1] = a.title
    if not action and a.title:find('^Erstatt med') then
      action = a
    end
  end
  check(action ~= nil, 'a code action "Erstatt med …" is offered on the Privacy Shield line', table.concat(titles, ' | '))
  step(string.format('code actions (%.1f ms, %d actions)', (uv.hrtime() - t0) / 1e6, #actions))
  if action then
    if not action.edit and client:supports_method('codeAction/resolve') then
      local r = client:request_sync('codeAction/resolve', action, TIMEOUT, buf)
      action = r and r.result or action
    end
    check(action.edit ~= nil, 'the action carries a WorkspaceEdit', action.title)
    if action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      local after = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
      check(after:find('Data Privacy Framework', 1, true) ~= nil, 'the buffer now says "Data Privacy Framework"', vim.api.nvim_buf_get_lines(buf, shield_lnum, shield_lnum + 1, false)[1])
      check(not after:find('Privacy Shield', 1, true), 'and no longer "Privacy Shield"')
      local gone = vim.wait(math.min(TIMEOUT, 5000), function()
        return shield_outdated() == nil and #diags() > 0
      end, 10)
      check(gone, 'the outdated-reference diagnostic on that line disappears')
      check(codes()['outdated-reference'] == true, 'the other outdated-reference (NSD) stays')
      step('edit applied, diagnostics refreshed')
    end
  end

  -- Shut down cleanly.
  client:stop()
  vim.wait(3000, function()
    return client:is_stopped()
  end, 10)
  step('client stopped')
  vim.fn.delete(dir, 'rf')
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  failed = failed + 1
  log('ERROR: %s', err)
end
log('e2e: %d passed, %d failed in %.2f s', passed, failed, (uv.hrtime() - t_start) / 1e9)
os.exit(failed == 0 and 0 or 1)
