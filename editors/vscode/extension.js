'use strict';
// Augur for VS Code: starts `augur serve`, keeps it in sync with open documents, and shows its
// textDocument/inlineCompletion answers through an InlineCompletionItemProvider (ghost text; Tab accepts).
// No dependencies: the LSP client is ./lsp-client.js.

const vscode = require('vscode');
const { LspClient, LspError } = require('./lsp-client');

/** Document schemes we sync to the server. */
const SCHEMES = new Set(['file', 'untitled']);

let client = null;
let output = null;

function log(line) {
  if (output) output.appendLine(line);
}

function config() {
  const c = vscode.workspace.getConfiguration('augur');
  return {
    path: c.get('path', 'augur'),
    args: c.get('args', ['serve']),
    initializationOptions: c.get('initializationOptions', {}),
    debounceMs: c.get('debounceMs', 50),
    enabled: c.get('enable', true),
  };
}

function toRange(range) {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** VS Code's document change event -> LSP incremental changes (positions are UTF-16 on both sides). */
function toLspChanges(event) {
  return event.contentChanges.map((change) => ({
    range: {
      start: { line: change.range.start.line, character: change.range.start.character },
      end: { line: change.range.end.line, character: change.range.end.character },
    },
    text: change.text,
  }));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the server's copy of each open document current. */
function syncDocuments(context) {
  const wanted = (doc) => SCHEMES.has(doc.uri.scheme);
  const open = (doc) => {
    if (wanted(doc)) client.didOpen(doc.uri.toString(), doc.languageId, doc.version, doc.getText());
  };
  vscode.workspace.textDocuments.forEach(open);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (wanted(event.document) && event.contentChanges.length > 0) {
        client.didChange(event.document.uri.toString(), event.document.version, toLspChanges(event));
      }
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (wanted(doc)) client.didClose(doc.uri.toString());
    }),
  );
}

/** The provider: one request per call, cancelled (via $/cancelRequest) when VS Code cancels the call. */
function makeProvider(settings) {
  return {
    async provideInlineCompletionItems(document, position, context, token) {
      // VS Code asks on every keystroke; a short pause lets a fast typist's next key cancel us for free.
      if (settings.debounceMs > 0) await sleep(settings.debounceMs);
      if (token.isCancellationRequested || !client || !SCHEMES.has(document.uri.scheme)) return undefined;
      const params = {
        textDocument: { uri: document.uri.toString() },
        position: { line: position.line, character: position.character },
        context: { triggerKind: context.triggerKind === 0 ? 1 : 2 },
      };
      let result;
      try {
        result = await client.request('textDocument/inlineCompletion', params, token);
      } catch (error) {
        if (!(error instanceof LspError) || (error.code !== -32800 && error.code !== -32801)) {
          log(`inlineCompletion failed: ${error.message}`);
        }
        return undefined;
      }
      const items = (result && (result.items || result)) || [];
      return items.map((item) => {
        const text = typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
        const range = item.range ? toRange(item.range) : new vscode.Range(position, position);
        const inline = new vscode.InlineCompletionItem(text, range, item.command);
        inline.augurItem = item;
        return inline;
      });
    },

    // Called by VS Code versions that report these (inline completion "additions" API); harmless otherwise.
    handleDidShowCompletionItem(item) {
      if (client) client.notify('textDocument/didShowCompletion', { item: item.augurItem });
    },

    handleDidPartiallyAcceptCompletionItem(item, info) {
      // `info` is the accepted length so far (a number, or { acceptedLength } in newer versions): report the increment.
      const total = typeof info === 'number' ? info : (info && info.acceptedLength) || 0;
      const increment = total - (item.augurAccepted || 0);
      item.augurAccepted = total;
      if (client && increment > 0) {
        client.notify('textDocument/didPartiallyAcceptCompletion', { item: item.augurItem, acceptedLength: increment });
      }
    },
  };
}

async function activate(context) {
  const settings = config();
  output = vscode.window.createOutputChannel('Augur');
  context.subscriptions.push(output);
  if (!settings.enabled) return;
  client = new LspClient(settings.path, settings.args);
  client.on('log', log);
  client.on('exit', (code, signal) => log(`augur exited (${code ?? signal})`));
  client.start();
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  try {
    await client.initialize(settings.initializationOptions, folder ? folder.uri.toString() : null);
  } catch (error) {
    vscode.window.showErrorMessage(`Augur could not start (${settings.path}): ${error.message}`);
    return;
  }
  syncDocuments(context);
  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, makeProvider(settings)),
    // The command every inline item carries: VS Code runs it after the item is accepted.
    vscode.commands.registerCommand('augur.accept', (...args) =>
      client && client.request('workspace/executeCommand', { command: 'augur.accept', arguments: args }).catch(() => {})),
    vscode.commands.registerCommand('augur.showStats', async () => {
      const stats = await client.request('augur/stats');
      output.appendLine(JSON.stringify(stats, null, 2));
      output.show(true);
    }),
  );
}

async function deactivate() {
  if (client) {
    const c = client;
    client = null;
    await c.stop();
  }
}

module.exports = { activate, deactivate, toLspChanges, client: () => client };
