;;; augur.el --- Ghost-text completions from the Augur language server -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: convenience, completion, languages

;;; Commentary:

;; Augur (`augur serve') is a local code-completion daemon speaking LSP.  This file:
;;
;; - registers it with eglot (`augur-eglot-setup') and, when lsp-mode is loaded, with lsp-mode (as an
;;   add-on server next to the language's own);
;; - adds `augur-mode', a minor mode that asks for `textDocument/inlineCompletion' after a short idle
;;   delay and shows the answer as ghost text (an overlay), with keys to accept all of it, a word or a
;;   line (TAB, M-f, C-e while the ghost text is shown) and to dismiss it (C-g).  Typing the suggestion's
;;   next characters keeps it (no new request); typing anything else dismisses it and cancels the request
;;   in flight ($/cancelRequest).
;;
;; `completion-at-point' needs nothing from here: eglot (and lsp-mode) already offer the server's
;; `textDocument/completion' items through it.
;;
;; Setup (eglot):
;;   (add-to-list 'load-path "/path/to/augur/editors/emacs")
;;   (require 'augur)
;;   (augur-eglot-setup)                     ; augur for every prog-mode buffer under eglot
;;   (add-hook 'prog-mode-hook #'eglot-ensure)

;;; Code:

(require 'cl-lib)
(require 'jsonrpc)
(require 'subr-x)
(require 'seq)

(defgroup augur nil
  "Ghost-text completions from the Augur language server."
  :group 'completion
  :prefix "augur-")

(defcustom augur-command '("augur" "serve")
  "The server command and its arguments (add e.g. \"--model\" \"/path/model.gguf\")."
  :type '(repeat string))

(defcustom augur-initialization-options nil
  "A plist sent as initializationOptions (see Docs/Configuration.md), e.g. (:maxTokens 64)."
  :type 'plist)

(defcustom augur-eglot-modes '(prog-mode)
  "Major modes (and the modes derived from them) eglot starts augur for."
  :type '(repeat symbol))

(defcustom augur-idle-delay 0.08
  "Seconds without typing before asking the server for a suggestion."
  :type 'number)

(defface augur-ghost-face '((t :inherit shadow))
  "Face of the ghost text.")

(defvar augur-ghost-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "TAB") #'augur-accept)
    (define-key map (kbd "<tab>") #'augur-accept)
    (define-key map (kbd "M-f") #'augur-accept-word)
    (define-key map (kbd "C-e") #'augur-accept-line)
    (define-key map (kbd "C-g") #'augur-dismiss)
    map)
  "Keys active while ghost text is shown.")

;; Counters for tests and `augur-status'.
(defvar augur-counters (list :requests 0 :responses 0 :cancelled 0 :stale 0 :reused 0
                             :shown 0 :accepted 0 :partial 0 :errors 0))

(defun augur--count (key)
  (setq augur-counters (plist-put augur-counters key (1+ (plist-get augur-counters key)))))

;;;; Per-buffer state

(defvar-local augur--ghost-visible nil "Non-nil while ghost text is shown (activates `augur-ghost-map').")
(defvar-local augur--overlay nil)
(defvar-local augur--suggestion nil
  "The suggestion: plist (:anchor MARKER :before STRING :text STRING :replaced STRING :item PLIST :drawn STRING).")
(defvar-local augur--inflight nil "The request in flight: plist (:handle H :tick N :point P).")
(defvar-local augur--timer nil)
(defvar-local augur--last-tick nil)

(defvar augur--emulation-alist `((augur--ghost-visible . ,augur-ghost-map)))
(add-to-list 'emulation-mode-map-alists 'augur--emulation-alist)

;;;; Backends: eglot and lsp-mode

(defun augur--get (object key)
  "KEY (a keyword) of the JSON OBJECT: a plist (eglot) or a hash table (lsp-mode's default)."
  (cond ((hash-table-p object) (gethash (substring (symbol-name key) 1) object))
        ((consp object) (plist-get object key))))

(declare-function eglot-current-server "eglot")
(declare-function eglot--TextDocumentPositionParams "eglot")
(declare-function eglot--signal-textDocument/didChange "eglot")
(declare-function eglot--lsp-position-to-point "eglot")
(declare-function lsp-request-async "lsp-mode")
(declare-function lsp-cancel-request-by-token "lsp-mode")
(declare-function lsp-notify "lsp-mode")
(declare-function lsp--text-document-position-params "lsp-mode")
(declare-function lsp--position-to-point "lsp-mode")
(declare-function lsp--client-server-id "lsp-mode")
(declare-function lsp--workspace-client "lsp-mode")
(defvar lsp--buffer-workspaces)
(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(defvar eglot-server-programs)
(defvar lsp--cur-workspace)

(defun augur--eglot-server ()
  (and (fboundp 'eglot-current-server) (eglot-current-server)))

(defun augur--lsp-workspace ()
  "The buffer's lsp-mode workspace of the augur server, if any."
  (and (bound-and-true-p lsp-mode)
       (seq-find (lambda (ws) (eq (lsp--client-server-id (lsp--workspace-client ws)) 'augur))
                 (bound-and-true-p lsp--buffer-workspaces))))

(defun augur--backend-ready-p ()
  (or (augur--eglot-server) (augur--lsp-workspace)))

(defun augur--position-params ()
  (if (augur--eglot-server)
      (eglot--TextDocumentPositionParams)
    (lsp--text-document-position-params)))

(defun augur--lsp-point (position)
  "Buffer position of the LSP POSITION plist."
  (if (augur--eglot-server)
      (eglot--lsp-position-to-point position)
    (lsp--position-to-point position)))

(defvar augur--next-token 0 "Makes lsp-mode cancel tokens.")

(defun augur--request (method params on-success on-error)
  "Sends METHOD (a keyword); returns a handle for `augur--cancel-request'.
ON-SUCCESS gets the result, ON-ERROR the error code."
  (let ((server (augur--eglot-server)))
    (cond
     (server
      (eglot--signal-textDocument/didChange) ; the server must see the text we ask about
      (list :eglot (car (jsonrpc--async-request-1 server method params
                                                  :success-fn on-success
                                                  :error-fn (lambda (err) (funcall on-error (augur--get err :code)))
                                                  :timeout 30))))
     ((augur--lsp-workspace)
      (let ((lsp--cur-workspace (augur--lsp-workspace))
            (token (list 'augur (cl-incf augur--next-token))))
        (lsp-request-async (substring (symbol-name method) 1) params on-success
                           :error-handler (lambda (err) (funcall on-error (augur--get err :code)))
                           :mode 'detached :cancel-token token)
        (list :lsp token))))))

(defun augur--cancel-request (handle)
  "Cancels the request HANDLE (from `augur--request') with $/cancelRequest."
  (pcase handle
    (`(:eglot ,id) (when id (augur--notify :$/cancelRequest (list :id id))))
    (`(:lsp ,token) (lsp-cancel-request-by-token token))))

(defun augur--notify (method params)
  (let ((server (augur--eglot-server)))
    (cond (server (jsonrpc-notify server method params))
          ((augur--lsp-workspace)
           (let ((lsp--cur-workspace (augur--lsp-workspace)))
             (lsp-notify (substring (symbol-name method) 1) params))))))

;;;; Requests

(defun augur--cancel-inflight ()
  (when-let ((req augur--inflight))
    (setq augur--inflight nil)
    (augur--count :cancelled)
    (augur--cancel-request (plist-get req :handle))))

(defun augur--first-item (result)
  "The first InlineCompletionItem of RESULT (an InlineCompletionList or an array)."
  (let ((items (if (or (hash-table-p result) (keywordp (car-safe result))) (augur--get result :items) result)))
    (if (vectorp items) (and (> (length items) 0) (aref items 0)) (car-safe items))))

(defun augur--on-result (buffer req result)
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (if (not (eq augur--inflight req))
          (augur--count :stale)
        (setq augur--inflight nil)
        (if (or (/= (point) (plist-get req :point))
                (/= (buffer-chars-modified-tick) (plist-get req :tick))
                (not (eq buffer (window-buffer (selected-window)))))
            (augur--count :stale)
          (augur--count :responses)
          (augur--show-item (augur--first-item result)))))))

(defun augur-request (&optional invoked)
  "Asks the server for a suggestion at point (INVOKED: as if by an explicit command)."
  (interactive (list t))
  (when (augur--backend-ready-p)
    (augur--cancel-timer)
    (augur--cancel-inflight)
    (let* ((buffer (current-buffer))
           (req (list :tick (buffer-chars-modified-tick) :point (point)))
           (params (append (augur--position-params)
                           (list :context (list :triggerKind (if invoked 1 2))))))
      (setq augur--inflight req)
      (augur--count :requests)
      (let ((handle (augur--request :textDocument/inlineCompletion params
                                (lambda (result) (augur--on-result buffer req result))
                                (lambda (code)
                                  (when (buffer-live-p buffer)
                                    (with-current-buffer buffer
                                      (when (eq augur--inflight req) (setq augur--inflight nil))
                                      ;; -32800 cancelled / -32801 superseded are expected while typing.
                                      (unless (memq code '(-32800 -32801)) (augur--count :errors))))))))
        (plist-put req :handle handle)))))

(defun augur--cancel-timer ()
  (when augur--timer
    (cancel-timer augur--timer)
    (setq augur--timer nil)))

(defun augur--schedule ()
  (augur--cancel-timer)
  (let ((buffer (current-buffer)))
    (setq augur--timer
          ;; An ordinary timer, restarted by every edit: a debounce that also runs in batch tests.
          (run-with-timer augur-idle-delay nil
                               (lambda ()
                                 (when (and (buffer-live-p buffer) (eq buffer (current-buffer)))
                                   (setq augur--timer nil)
                                   (augur-request)))))))

;;;; Ghost text

(defun augur--show-item (item)
  (when item
    (let* ((insert (augur--get item :insertText))
           (insert (if (stringp insert) insert (augur--get insert :value)))
           (range (augur--get item :range))
           (start (if range (augur--lsp-point (augur--get range :start)) (point)))
           (end (if range (max (point) (augur--lsp-point (augur--get range :end))) (point))))
      (when (< start (point))
        ;; The item repeats text before point: it must match, and is dropped from the ghost text.
        (let ((typed (buffer-substring-no-properties start (point))))
          (setq insert (and (string-prefix-p typed insert) (substring insert (length typed))))))
      (when (and insert (not (string-empty-p insert)) (<= end (line-end-position)))
        (setq augur--suggestion
              (list :anchor (copy-marker (point))
                    :before (buffer-substring-no-properties (line-beginning-position) (point))
                    :text insert
                    :replaced (buffer-substring-no-properties (point) end)
                    :item item))
        (augur--draw insert)))))

(defun augur--remaining ()
  "The suggestion still to insert at point, and what was typed of it; nil when it no longer fits."
  (when-let ((s augur--suggestion))
    (let* ((anchor (marker-position (plist-get s :anchor)))
           (replaced (plist-get s :replaced))
           (text (plist-get s :text)))
      (when (and anchor (>= (point) anchor)
                 (= (line-number-at-pos anchor) (line-number-at-pos (point)))
                 (equal (buffer-substring-no-properties (save-excursion (goto-char anchor) (line-beginning-position))
                                                        anchor)
                        (plist-get s :before))
                 (<= (+ (point) (length replaced)) (point-max))
                 (equal (buffer-substring-no-properties (point) (+ (point) (length replaced))) replaced))
        (let ((typed (buffer-substring-no-properties anchor (point))))
          (when (string-prefix-p typed text)
            (cons (substring text (length typed)) typed)))))))

(defun augur--draw (rest)
  (let* ((s augur--suggestion)
         (replaced (plist-get s :replaced))
         (ghost (propertize rest 'face 'augur-ghost-face)))
    (when (> (length ghost) 0)
      (put-text-property 0 1 'cursor t ghost)) ; keep the cursor before the ghost text
    (augur--clear-overlay)
    ;; The overlay covers the replaced text (if any) and displays the suggestion in its place.
    (setq augur--overlay (make-overlay (point) (+ (point) (length replaced)) nil t nil))
    (overlay-put augur--overlay 'augur t)
    (if (string-empty-p replaced)
        (overlay-put augur--overlay 'after-string ghost)
      (overlay-put augur--overlay 'display ghost))
    (setq augur--ghost-visible t)
    (setq augur--suggestion (plist-put s :drawn rest))
    (unless (plist-get s :announced)
      (setq augur--suggestion (plist-put augur--suggestion :announced t))
      (augur--count :shown)
      (augur--notify :textDocument/didShowCompletion (list :item (plist-get s :item))))))

(defun augur--clear-overlay ()
  (when augur--overlay
    (delete-overlay augur--overlay)
    (setq augur--overlay nil))
  (setq augur--ghost-visible nil))

(defun augur-ghost-text ()
  "The ghost text shown in this buffer, or nil."
  (and augur--overlay (overlay-buffer augur--overlay)
       (substring-no-properties (or (overlay-get augur--overlay 'after-string)
                                    (overlay-get augur--overlay 'display)))))

(defun augur-dismiss ()
  "Hides the suggestion and cancels any request in flight."
  (interactive)
  (augur--cancel-timer)
  (augur--cancel-inflight)
  (augur--clear-overlay)
  (setq augur--suggestion nil))

;;;; Accepting

(defun augur--insert (piece replace)
  "Inserts PIECE at point; with REPLACE, over the suggestion's replaced text."
  (when replace
    (delete-region (point) (+ (point) (length (plist-get augur--suggestion :replaced)))))
  (insert piece))

(defun augur-accept ()
  "Inserts the whole suggestion."
  (interactive)
  (when-let ((rest (car (augur--remaining)))
             (s augur--suggestion))
    (augur--clear-overlay)
    (augur--insert rest t)
    (augur-dismiss)
    (augur--count :accepted)
    (let ((command (augur--get (plist-get s :item) :command)))
      (when command
        (augur--request :workspace/executeCommand
                        (list :command (augur--get command :command) :arguments (augur--get command :arguments))
                        #'ignore #'ignore)))
    t))

(defun augur--next-word (text)
  (if (string-match "\\`\\([ \t]*[[:alnum:]_]+\\|[ \t]*[^[:alnum:]_ \t\n]+\\|\n[ \t]*\\|[ \t]+\\)" text)
      (match-string 0 text)
    text))

(defun augur--next-line (text)
  (if (string-prefix-p "\n" text)
      (concat "\n" (car (split-string (substring text 1) "\n")))
    (car (split-string text "\n"))))

(defun augur--accept-part (pick)
  (when-let ((rest (car (augur--remaining))))
    (let ((piece (funcall pick rest)))
      (if (equal piece rest)
          (augur-accept)
        (augur--clear-overlay)
        (augur--insert piece nil)
        ;; The suggestion now starts at point.
        (let ((s augur--suggestion))
          (set-marker (plist-get s :anchor) (point))
          (setq s (plist-put s :before (buffer-substring-no-properties (line-beginning-position) (point))))
          (setq s (plist-put s :text (substring rest (length piece))))
          (setq augur--suggestion s))
        (augur--count :partial)
        (augur--notify :textDocument/didPartiallyAcceptCompletion
                       (list :item (plist-get augur--suggestion :item)
                             :acceptedLength (/ (length (encode-coding-string piece 'utf-16le)) 2)))
        (augur--draw (plist-get augur--suggestion :text))
        (setq augur--last-tick (buffer-chars-modified-tick))
        t))))

(defun augur-accept-word ()
  "Inserts the suggestion's next word."
  (interactive)
  (augur--accept-part #'augur--next-word))

(defun augur-accept-line ()
  "Inserts the rest of the suggestion's current line."
  (interactive)
  (augur--accept-part #'augur--next-line))

;;;; Tracking edits

(defun augur--post-command ()
  "Keeps the suggestion while the user types through it; otherwise dismisses it and asks again."
  (let ((changed (not (eql augur--last-tick (buffer-chars-modified-tick)))))
    (setq augur--last-tick (buffer-chars-modified-tick))
    (let ((remaining (augur--remaining)))
      (cond
       ((and remaining (not (string-empty-p (car remaining))))
        (unless (equal (car remaining) (plist-get augur--suggestion :drawn))
          (when (and changed (not (string-empty-p (cdr remaining)))) (augur--count :reused))
          (augur--draw (car remaining))))
       (changed
        (augur-dismiss)
        (augur--schedule))
       ((or augur--suggestion
            (and augur--inflight (/= (point) (plist-get augur--inflight :point))))
        ;; Point moved without an edit: what was shown or asked for is for another place.
        (augur-dismiss))))))

(defun augur--before-change (&rest _)
  (augur--cancel-inflight))

;;;###autoload
(define-minor-mode augur-mode
  "Ghost-text suggestions from the Augur server (through eglot or lsp-mode) while typing."
  :lighter " Augur"
  (if augur-mode
      (progn
        (setq augur--last-tick (buffer-chars-modified-tick))
        ;; Any command stops a pending debounce (so it can't race e.g. completion-at-point's request);
        ;; post-command asks again after an edit.
        (add-hook 'pre-command-hook #'augur--cancel-timer nil t)
        ;; The first change cancels the request in flight, before the client's didChange goes out (lsp-mode
        ;; sends it from after-change-functions).
        (add-hook 'before-change-functions #'augur--before-change nil t)
        (add-hook 'post-command-hook #'augur--post-command nil t))
    (remove-hook 'pre-command-hook #'augur--cancel-timer t)
    (remove-hook 'before-change-functions #'augur--before-change t)
    (remove-hook 'post-command-hook #'augur--post-command t)
    (augur-dismiss)))

(defun augur--maybe-enable ()
  "Turns on `augur-mode' in buffers eglot manages with augur."
  (when-let ((server (augur--eglot-server)))
    (when (and (find-class 'augur-eglot-server nil) (object-of-class-p server 'augur-eglot-server))
      (augur-mode 1))))

;;;; Registration

;; eglot's server class for augur: lets `augur--maybe-enable' recognise it, and sends
;; `augur-initialization-options'.
(with-eval-after-load 'eglot
  (defclass augur-eglot-server (eglot-lsp-server) ()
    :documentation "The Augur completion server.")
  (cl-defmethod eglot-initialization-options ((_server augur-eglot-server))
    (or augur-initialization-options (make-hash-table))))

(defun augur--eglot-contact (&optional _interactive)
  "The `eglot-server-programs' contact: our class, then the command."
  (cons 'augur-eglot-server augur-command))

;;;###autoload
(defun augur-eglot-setup ()
  "Registers augur with eglot for `augur-eglot-modes' and turns on `augur-mode' in the buffers it manages."
  (require 'eglot)
  (add-to-list 'eglot-server-programs (cons augur-eglot-modes #'augur--eglot-contact))
  (add-hook 'eglot-managed-mode-hook #'augur--maybe-enable))

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client :new-connection (lsp-stdio-connection (lambda () augur-command))
                    :activation-fn (lambda (&rest _) (apply #'derived-mode-p augur-eglot-modes))
                    :initialization-options (lambda () augur-initialization-options)
                    :add-on? t
                    :priority -1
                    :server-id 'augur))
  (add-hook 'lsp-after-open-hook (lambda () (when (augur--lsp-workspace) (augur-mode 1)))))

(defun augur-status ()
  "Shows the client counters and the server's `augur/stats'."
  (interactive)
  (message "augur: %S" augur-counters)
  (augur--request :augur/stats nil (lambda (stats) (message "augur server: %S" stats)) #'ignore))

(provide 'augur)
;;; augur.el ends here
