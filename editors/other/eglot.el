;;; Emacs (29+ has Eglot built in; Emacs 28: the elpa-eglot package or GNU ELPA's eglot).
;;; Put in init.el. markdown-mode is from elpa-markdown-mode or MELPA.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((markdown-mode gfm-mode text-mode) . ("privacy-lsp")))
  ;; Optional editor settings; a privacy-lsp.toml in the project wins.
  (setq-default eglot-workspace-configuration
                '(:privacyLsp (:language "auto" :messageLanguage "auto" :jurisdiction "NO"))))
;; Start it in policies only: M-x eglot in the buffer, or
(add-hook 'markdown-mode-hook #'eglot-ensure)
