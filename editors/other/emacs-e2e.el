;;; emacs-e2e.el --- privacy-lsp in Emacs + Eglot, in batch mode  -*- lexical-binding: t -*-
;;
;; Opens a copy of a seed policy, starts Eglot with privacy-lsp and waits for the
;; diagnostics to reach Flymake.  Exit 0 when they do, 1 otherwise.
;;
;;   PRIVACY_LSP=target/release/privacy-lsp emacs --batch -q -l editors/other/emacs-e2e.el
;;
;; Use -q, not -Q: -Q skips Debian's site-start, which activates the ELPA packages
;; (elpa-eglot, elpa-markdown-mode).  Environment: PRIVACY_LSP, PRIVACY_LSP_CORPUS,
;; PRIVACY_LSP_SEED as for editors/nvim/tests/e2e.lua.

(require 'eglot)
(require 'flymake)

(defvar e2e-start (float-time))
(defvar e2e-here (file-name-directory (or load-file-name buffer-file-name)))
(defvar e2e-repo (expand-file-name "../../" e2e-here))
(defvar e2e-server
  (expand-file-name (or (getenv "PRIVACY_LSP") "target/release/privacy-lsp") e2e-repo))
(defvar e2e-corpus
  (expand-file-name (or (getenv "PRIVACY_LSP_CORPUS") "../shared/corpus") e2e-repo))
(defvar e2e-seed (or (getenv "PRIVACY_LSP_SEED") "000_565040bd1de303e2.txt"))

(defun e2e-log (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

;; What a user writes in init.el (markdown-mode comes from elpa-markdown-mode or MELPA):
(add-to-list 'eglot-server-programs
             `((markdown-mode gfm-mode text-mode) . (,e2e-server)))

(let* ((markdown (require 'markdown-mode nil t))
       (dir (make-temp-file "privacy-lsp-emacs-" t))
       (file (expand-file-name (if markdown "personvern.md" "personvern.txt") dir))
       (ok nil))
  (e2e-log "emacs %s, eglot %s, %s, server %s" emacs-version
           (if (boundp 'eglot--version) eglot--version "?")
           (if markdown "markdown-mode" "text-mode (no markdown-mode)") e2e-server)
  (unless (file-executable-p e2e-server)
    (e2e-log "FATAL: no server at %s" e2e-server)
    (kill-emacs 1))
  (copy-file (expand-file-name (concat "seeds/" e2e-seed) e2e-corpus) file t)
  (set-file-modes file #o644)
  ;; project.el needs a project for Eglot to start.
  (call-process "git" nil nil nil "init" "-q" dir)
  (find-file file)
  (e2e-log "major mode %s" major-mode)
  ;; eglot-ensure waits for post-command-hook, which never runs in batch.
  (apply #'eglot (eglot--guess-contact))
  (let ((deadline (+ (float-time) 20)))
    (while (and (not ok) (< (float-time) deadline))
      (accept-process-output nil 0.1)
      (when (flymake-diagnostics) (setq ok t))))
  (if (not ok)
      (e2e-log "FAIL: no diagnostics within 20 s")
    ;; Let the rest of the batch arrive.
    (accept-process-output nil 0.3)
    (let ((diags (flymake-diagnostics)))
      (e2e-log "%d diagnostics after %.2f s:" (length diags) (- (float-time) e2e-start))
      (dolist (d diags)
        (e2e-log "  line %d %s: %s"
                 (line-number-at-pos (flymake-diagnostic-beg d))
                 (flymake-diagnostic-type d)
                 (truncate-string-to-width
                  (replace-regexp-in-string "\n" " " (flymake-diagnostic-text d)) 100)))
      ;; The seed's outdated NSD reference must be among them, on the right line.
      (let ((nsd (seq-find (lambda (d) (string-match-p "«NSD»" (flymake-diagnostic-text d))) diags)))
        (setq ok (and nsd
                      (string= (buffer-substring (flymake-diagnostic-beg nsd) (flymake-diagnostic-end nsd))
                               "NSD")))
        (e2e-log "%s the outdated-reference diagnostic covers exactly \"NSD\"" (if ok "ok  " "FAIL")))))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (delete-directory dir t)
  (e2e-log "emacs e2e: %s in %.2f s" (if ok "passed" "FAILED") (- (float-time) e2e-start))
  (kill-emacs (if ok 0 1)))
