'use strict';
// Just enough of the `vscode` API for extension.js to run under plain node in the tests: documents,
// change events, configuration, command and provider registries.

const { EventEmitter } = require('events');

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    if (a instanceof Position) {
      this.start = a;
      this.end = b;
    } else {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    }
  }
}

class InlineCompletionItem {
  constructor(insertText, range, command) {
    this.insertText = insertText;
    this.range = range;
    this.command = command;
  }
}

/** A text document held as a string; positions are UTF-16, like VS Code's. */
class TextDocument {
  constructor(path, languageId, text) {
    this.uri = { scheme: 'file', fsPath: path, toString: () => `file://${path}` };
    this.languageId = languageId;
    this.version = 1;
    this.text = text;
  }

  getText() {
    return this.text;
  }

  offsetAt(position) {
    const lines = this.text.split('\n');
    let offset = 0;
    for (let i = 0; i < position.line; i++) offset += lines[i].length + 1;
    return offset + position.character;
  }

  positionAt(offset) {
    const before = this.text.slice(0, offset).split('\n');
    return new Position(before.length - 1, before[before.length - 1].length);
  }

  /** The end of the document. */
  end() {
    return this.positionAt(this.text.length);
  }
}

const emitter = new EventEmitter();
const registry = { commands: new Map(), providers: [], settings: {}, documents: [], messages: [] };

function subscription(event) {
  return (listener) => {
    emitter.on(event, listener);
    return { dispose: () => emitter.off(event, listener) };
  };
}

const vscode = {
  Position,
  Range,
  InlineCompletionItem,
  workspace: {
    workspaceFolders: undefined,
    get textDocuments() {
      return registry.documents;
    },
    getConfiguration: () => ({
      get: (key, fallback) => (key in registry.settings ? registry.settings[key] : fallback),
    }),
    onDidOpenTextDocument: subscription('open'),
    onDidChangeTextDocument: subscription('change'),
    onDidCloseTextDocument: subscription('close'),
  },
  languages: {
    registerInlineCompletionItemProvider: (selector, provider) => {
      registry.providers.push(provider);
      return { dispose() {} };
    },
  },
  commands: {
    registerCommand: (name, fn) => {
      registry.commands.set(name, fn);
      return { dispose() {} };
    },
    executeCommand: (name, ...args) => registry.commands.get(name)(...args),
  },
  window: {
    createOutputChannel: () => ({
      appendLine: (line) => {
        if (process.env.AUGUR_EDITOR_TEST_LOG) process.stderr.write(`[output] ${line}\n`);
      },
      show() {},
      dispose() {},
    }),
    showErrorMessage: (message) => registry.messages.push(message),
  },
};

/** Test helpers: open a document, edit it the way the editor would (fires onDidChangeTextDocument). */
const control = {
  registry,
  open(doc) {
    registry.documents.push(doc);
    emitter.emit('open', doc);
  },
  edit(doc, range, text) {
    const start = doc.offsetAt(range.start);
    const end = doc.offsetAt(range.end);
    doc.text = doc.text.slice(0, start) + text + doc.text.slice(end);
    doc.version += 1;
    emitter.emit('change', { document: doc, contentChanges: [{ range, rangeLength: end - start, text }] });
  },
};

module.exports = { vscode, control, TextDocument };
