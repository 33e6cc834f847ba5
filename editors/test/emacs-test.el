;;; emacs-test.el --- End-to-end test of editors/emacs/augur.el with eglot -*- lexical-binding: t; -*-

;; Run by editors/test/run:
;;   emacs -Q --batch -L editors/emacs -l editors/test/emacs-test.el
;; Env: AUGUR_BIN, AUGUR_MODEL, AUGUR_REPO, AUGUR_TMP; AUGUR_EMACS_CLIENT=lsp-mode tests through lsp-mode
;; instead of eglot.  Keys go through `execute-kbd-macro', so commands,
;; keymaps and `post-command-hook' run as for a user; `accept-process-output' lets the server's answers in.

;;; Code:

;; -Q leaves out site-lisp: put Debian's ELPA packages (eglot, and the project/xref it needs) first.
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(defvar test-client (if (equal (getenv "AUGUR_EMACS_CLIENT") "lsp-mode") 'lsp-mode 'eglot))
(require test-client)
(require 'augur)

(defvar test-repo (getenv "AUGUR_REPO"))
(defvar test-tmp (getenv "AUGUR_TMP"))

;; The client-specific parts: connecting, a direct request, the completion-at-point function, shutdown.

(defun test-connect ()
  (if (eq test-client 'eglot)
      (progn
        (apply #'eglot--connect (eglot--guess-contact))
        (check (eglot-current-server) "eglot manages the buffer"))
    (lsp)
    (wait-for "lsp-mode to start augur"
              (lambda () (when-let ((ws (augur--lsp-workspace))) (eq (lsp--workspace-status ws) 'initialized)))
              30)))

(defun test-request (method &optional params)
  (if (eq test-client 'eglot)
      (jsonrpc-request (eglot-current-server) method params)
    (let ((lsp--cur-workspace (augur--lsp-workspace)))
      (lsp-request (substring (symbol-name method) 1) params))))

(defun test-position-params ()
  (if (eq test-client 'eglot) (eglot--TextDocumentPositionParams) (lsp--text-document-position-params)))

(defun test-capf ()
  (if (eq test-client 'eglot)
      (eglot-completion-at-point)
    (require 'lsp-completion)
    (lsp-completion-at-point)))

(defun test-shutdown ()
  (if (eq test-client 'eglot)
      (eglot-shutdown (eglot-current-server))
    (lsp-workspace-shutdown (augur--lsp-workspace))))

(defun stat (object &rest keys)
  "The value at KEYS in a JSON OBJECT from either client."
  (dolist (key keys object) (setq object (augur--get object key))))

(defun say (fmt &rest args)
  (princ (concat "emacs-test: " (apply #'format fmt args) "\n") #'external-debugging-output))

(defun wait-for (what pred &optional timeout)
  "Runs the event loop until PRED returns non-nil (its value), or fails after TIMEOUT seconds."
  (let ((deadline (+ (float-time) (or timeout 20))) value)
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (or value (error "Timed out waiting for %s" what))))

(defun check (cond what)
  (unless cond (error "Check failed: %s" what)))

(defun type (keys)
  "Types KEYS (a string or `kbd' vector) as a user would."
  (execute-kbd-macro keys))

(defun server-stats ()
  (test-request :augur/stats))

(defun count (key) (plist-get augur-counters key))

(defun current-line () (buffer-substring-no-properties (line-beginning-position) (line-end-position)))

(defun run-test ()
  (setq augur-command (list (getenv "AUGUR_BIN") "serve" "--model" (getenv "AUGUR_MODEL") "--no-draft"
                            "--log-level" "warning"))
  (setq augur-initialization-options '(:maxTokens 16 :maxLatencyMs 15000))
  (if (eq test-client 'eglot)
      (progn (setq eglot-sync-connect 30)
             (augur-eglot-setup))
    (setq lsp-session-file (expand-file-name "lsp-session" test-tmp)
          lsp-client-packages nil           ; no other servers: augur alone
          lsp-enable-file-watchers nil
          lsp-headerline-breadcrumb-enable nil
          lsp-modeline-code-actions-enable nil
          lsp-modeline-diagnostics-enable nil
          lsp-modeline-workspace-status-enable nil
          lsp-enable-snippet nil
          lsp-enable-suggest-server-download nil
          lsp-restart 'ignore)
    (lsp-workspace-folders-add test-tmp))
  (let ((file (expand-file-name "inventory.py" test-tmp)))
    (copy-file (expand-file-name "editors/test/fixtures/inventory.py" test-repo) file t)
    (find-file file))
  (check (derived-mode-p 'prog-mode) "python buffer")
  (test-connect)
  (check augur-mode (format "augur-mode turned on by %s" test-client))
  (say "%s connected; typing" test-client)

  ;; 1. Type a line; the debounced request brings ghost text.
  (goto-char (point-max))
  (let* ((typed "        return sum(item.")
         (_ (type typed))
         (shown (wait-for "ghost text" #'augur-ghost-text))
         (requests (count :requests)))
    (check (equal (current-line) typed) (format "typed line %S" (current-line)))
    (say "ghost text: %S" shown)
    ;; The ghost text is the daemon's item for this position.
    (let* ((direct (test-request :textDocument/inlineCompletion (test-position-params)))
           (item (aref (stat direct :items) 0)))
      (check (equal (stat item :insertText) shown)
             (format "ghost %S equals the daemon item %S" shown (stat item :insertText)))
      (check (equal (stat item :command :command) "augur.accept") "accept command on the item"))

    ;; 2. Typing through it: no new request, the ghost text shrinks.
    (type (substring shown 0 1))
    (check (equal (augur-ghost-text) (substring shown 1)) "ghost text shrank")
    (let ((deadline (+ (float-time) 0.5)))
      (while (< (float-time) deadline) (accept-process-output nil 0.02)))
    (check (= (count :requests) requests) (format "no request while typing through (%d)" (count :requests)))
    (check (>= (count :reused) 1) "reuse counted")
    (say "typed through %S without a request" (substring shown 0 1))

    ;; 3. M-f accepts the next word (the rest stays as ghost text), TAB all the rest: the buffer holds the
    ;; typed text plus the suggestion.
    (let* ((rest (substring shown 1))
           (word (augur--next-word rest)))
      (check (not (equal word rest)) (format "a suggestion of several words: %S" rest))
      (type (kbd "M-f"))
      (check (equal (current-line) (concat typed (substring shown 0 1) word)) (format "word accepted: %S" (current-line)))
      (check (equal (augur-ghost-text) (substring rest (length word))) "the rest stays as ghost text")
      (check (= (count :partial) 1) "partial accept counted")
      (wait-for "didPartiallyAcceptCompletion at the server"
                (lambda () (= 1 (stat (server-stats) :feedback :partiallyAccepted))) 5)
      (say "M-f accepted %S" word))
    (type (kbd "TAB"))
    (check (equal (buffer-substring-no-properties (line-beginning-position) (point-max)) (concat typed shown))
           (format "buffer after accept: %S" (buffer-substring-no-properties (line-beginning-position) (point-max))))
    (check (= (point) (point-max)) "point after the accepted text")
    (wait-for "the accept at the server" (lambda () (= 1 (stat (server-stats) :feedback :accepted))) 5)
    (check (>= (stat (server-stats) :feedback :shown) 1) "didShowCompletion reached the server")
    (say "accepted: %S" (current-line)))

  ;; 4. A stale request is cancelled: ask, then type before the answer arrives.
  (type (kbd "RET"))
  (type "    def count(self) -> int:")
  (augur-dismiss)
  (let ((before (stat (server-stats) :cancelledByClient))
        (cancelled (count :cancelled)))
    (augur-request t)
    (type (kbd "RET"))
    (check (> (count :cancelled) cancelled) "the plugin cancelled the stale request")
    (wait-for "the server to count the cancel"
              (lambda () (> (stat (server-stats) :cancelledByClient) before)) 5)
    (say "stale request cancelled"))

  ;; 5. A diverging keystroke dismisses the suggestion at once.
  (type "        return len(")
  (let* ((second (wait-for "ghost text on the new line" #'augur-ghost-text))
         (other (if (string-prefix-p "z" second) "q" "z")))
    (type other)
    (check (not (equal (augur-ghost-text) second)) "diverging keystroke dismissed the ghost text")
    (say "divergent %S dismissed %S" other second))

  ;; 6. completion-at-point: eglot offers the server's completion items.
  (augur-dismiss)
  (type (kbd "RET"))
  (delete-horizontal-space) ; python-mode indented the new line; the test types its own indentation
  (type "        total = self.")
  (augur-dismiss)
  (let* ((capf (test-capf))
         (candidates (all-completions "" (nth 2 capf))))
    (check (> (length candidates) 0) "completion-at-point candidates")
    (say "completion-at-point: %S" (substring-no-properties (car candidates))))

  ;; 7. A multi-line suggestion (an after-string with newlines): TAB inserts all of it.
  (augur-dismiss)
  (goto-char (point-max))
  (type (kbd "RET"))
  (delete-horizontal-space)
  (let ((start (line-beginning-position)))
    (type "        total = 0")
    (let ((multi (wait-for "multi-line ghost text" #'augur-ghost-text)))
      (check (string-match-p "\n" multi) (format "a multi-line suggestion: %S" multi))
      (type (kbd "TAB"))
      (check (equal (buffer-substring-no-properties start (point)) (concat "        total = 0" multi))
             (format "multi-line accept: %S" (buffer-substring-no-properties start (point))))
      (say "multi-line suggestion %S accepted" multi)))

  (say "counters %S" augur-counters)
  (let ((stats (server-stats)))
    (say "server completionRequests %s cancelledByClient %s feedback shown %s accepted %s partiallyAccepted %s"
         (stat stats :completionRequests) (stat stats :cancelledByClient) (stat stats :feedback :shown)
         (stat stats :feedback :accepted) (stat stats :feedback :partiallyAccepted)))
  (test-shutdown)
  (say "PASS"))

(condition-case err
    (progn (run-test) (kill-emacs 0))
  (error (say "FAIL: %S" err)
         (kill-emacs 1)))

;;; emacs-test.el ends here
