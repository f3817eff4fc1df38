#!/usr/bin/env python3
"""Renders a screenshot of Neovim showing privacy-lsp diagnostics on a seed policy.

Headless Neovim has no screen, so this runs the real TUI in a pseudo-terminal, feeds its
output to a terminal emulator (pyte) and draws the emulator's cells with Pillow.

    editors/nvim/.cache/venv/bin/pip install pyte pillow   # run.sh made the venv
    editors/nvim/.cache/venv/bin/python editors/nvim/tests/screenshot.py

Environment: PRIVACY_LSP (server, default target/release/privacy-lsp), NVIM (default the
venv's nvim), PRIVACY_LSP_CORPUS, PRIVACY_LSP_SEED, and SCREENSHOT (the PNG to write,
default docs/screenshots/nvim-diagnostics.png).
"""

import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

import pyte
from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PLUGIN))
COLS, ROWS = 132, 42

SERVER = os.path.abspath(os.environ.get("PRIVACY_LSP", os.path.join(REPO, "target/release/privacy-lsp")))
NVIM = os.environ.get("NVIM", os.path.join(PLUGIN, ".cache/venv/bin/nvim"))
CORPUS = os.path.abspath(os.environ.get("PRIVACY_LSP_CORPUS", os.path.join(os.path.dirname(REPO), "shared/corpus")))
SEED = os.environ.get("PRIVACY_LSP_SEED", "000_565040bd1de303e2.txt")
OUT = os.path.abspath(os.environ.get("SCREENSHOT", os.path.join(REPO, "docs/screenshots/nvim-diagnostics.png")))

INIT = r"""
vim.opt.runtimepath:prepend(%(plugin)r)
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = 'yes'
vim.o.wrap = true
vim.o.linebreak = true
vim.o.breakindent = true
vim.o.laststatus = 2
vim.o.shortmess = vim.o.shortmess .. 'I'
vim.cmd('filetype on')
vim.cmd('syntax on')
vim.diagnostic.config({
  virtual_text = { prefix = '●', spacing = 2 },
  signs = true,
  underline = true,
  severity_sort = true,
})
require('privacy_lsp').setup({ cmd = { %(server)r } })
-- Once the diagnostics are in, put the cursor on the Facebook line and open its float.
local shown = false
vim.api.nvim_create_autocmd('DiagnosticChanged', {
  callback = function(ev)
    if shown or #vim.diagnostic.get(ev.buf) == 0 then return end
    shown = true
    vim.defer_fn(function()
      for _, d in ipairs(vim.diagnostic.get(ev.buf)) do
        if d.code == 'transfer-undeclared' then
          vim.api.nvim_win_set_cursor(0, { d.lnum + 1, 0 })
          vim.diagnostic.open_float({ scope = 'line', border = 'rounded', max_width = 80, close_events = {}, focusable = false })
          break
        end
      end
      vim.g.screenshot_ready = 1
      vim.cmd('redraw')
      io.stdout:write('')
    end, 300)
  end,
})
"""

# Neovim's default dark colour scheme, for cells that use the terminal's defaults.
DEFAULT_FG = (0xE0, 0xE2, 0xEA)
DEFAULT_BG = (0x14, 0x16, 0x1B)
NAMED = {
    "black": (0, 0, 0), "red": (205, 49, 49), "green": (13, 188, 121), "brown": (229, 229, 16),
    "yellow": (229, 229, 16), "blue": (36, 114, 200), "magenta": (188, 63, 188),
    "cyan": (17, 168, 205), "white": (229, 229, 229),
}


def colour(value, default):
    if value == "default":
        return default
    if value in NAMED:
        return NAMED[value]
    try:
        return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
    except (ValueError, TypeError):
        return default


def font(size, bold=False):
    names = ["DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf",
             "LiberationMono-Bold.ttf" if bold else "LiberationMono-Regular.ttf"]
    for folder in ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation"]:
        for name in names:
            path = os.path.join(folder, name)
            if os.path.exists(path):
                return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def run_nvim(policy, init):
    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.ByteStream(screen)
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", COLORTERM="truecolor", LINES=str(ROWS), COLUMNS=str(COLS))
        os.chdir(os.path.dirname(policy))
        os.execv(NVIM, [NVIM, "--clean", "-u", init, os.path.basename(policy)])
    import fcntl
    import struct
    import termios
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    start = time.time()
    ready_at = None
    while time.time() - start < 20:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            stream.feed(data)
        text = "\n".join(screen.display)
        if ready_at is None and "●" in text and "╭" in text:
            ready_at = time.time()
        if ready_at and time.time() - ready_at > 1.0:
            break
    elapsed = time.time() - start
    os.write(fd, b"\x1b:qa!\r")
    time.sleep(0.3)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    return screen, ready_at is not None, elapsed


def render(screen, path):
    size = 15
    regular, bold = font(size), font(size, bold=True)
    left, top, right, bottom = regular.getbbox("M")
    cw = int(regular.getlength("M") + 0.5)
    ch = int(size * 1.3)
    img = Image.new("RGB", (COLS * cw + 16, ROWS * ch + 16), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    for y in range(ROWS):
        row = screen.buffer[y]
        for x in range(COLS):
            c = row[x]
            fg, bg = colour(c.fg, DEFAULT_FG), colour(c.bg, DEFAULT_BG)
            if c.reverse:
                fg, bg = bg, fg
            if (x, y) == (screen.cursor.x, screen.cursor.y):
                fg, bg = DEFAULT_BG, DEFAULT_FG
            px, py = 8 + x * cw, 8 + y * ch
            if bg != DEFAULT_BG:
                draw.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
            if c.data and c.data != " ":
                draw.text((px, py + 2), c.data, font=bold if c.bold else regular, fill=fg)
            if c.underscore:
                draw.line([px, py + ch - 2, px + cw - 1, py + ch - 2], fill=fg)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path, optimize=True)


def main():
    for what, path in (("server", SERVER), ("nvim", NVIM)):
        if not os.access(path, os.X_OK):
            sys.exit(f"screenshot.py: no {what} at {path}")
    tmp = tempfile.mkdtemp(prefix="privacy-lsp-shot-")
    try:
        policy = os.path.join(tmp, "personvern.md")
        shutil.copyfile(os.path.join(CORPUS, "seeds", SEED), policy)
        subprocess.run(["git", "init", "-q", tmp], check=False)
        init = os.path.join(tmp, "init.lua")
        with open(init, "w") as f:
            f.write(INIT % {"plugin": PLUGIN, "server": SERVER})
        screen, ready, elapsed = run_nvim(policy, init)
        render(screen, OUT)
        print(f"screenshot.py: wrote {OUT} after {elapsed:.1f} s (diagnostics {'shown' if ready else 'NOT seen'})")
        if not ready:
            print("\n".join(screen.display))
            sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
