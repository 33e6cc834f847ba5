'use strict';
// Tests the VS Code extension under plain node against the real daemon:
//   1. lsp-client.js alone: initialize, didOpen/didChange, inline completion, cancellation, stats, shutdown;
//   2. extension.js with a fake `vscode` module: activate, type into a document, ask the provider, accept.
// Env: AUGUR_BIN, AUGUR_MODEL, AUGUR_REPO. Run: node editors/vscode/test/client.test.js

const assert = require('assert');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const { LspClient, LspError, Framer } = require('../lsp-client');
const { vscode, control, TextDocument } = require('./fake-vscode');

const bin = process.env.AUGUR_BIN;
const model = process.env.AUGUR_MODEL;
const repo = process.env.AUGUR_REPO || path.resolve(__dirname, '../../..');
const serverArgs = ['serve', '--model', model, '--no-draft', '--log-level', 'warning'];
const fixture = fs.readFileSync(path.join(repo, 'editors/test/fixtures/inventory.py'), 'utf8');

function say(line) {
  process.stderr.write(`vscode-test: ${line}\n`);
}

function verbose(client) {
  if (process.env.AUGUR_EDITOR_TEST_LOG) client.on('log', (line) => process.stderr.write(`[augur] ${line}\n`));
}

function testFramer() {
  const got = [];
  const framer = new Framer((m) => got.push(m));
  const bytes = Buffer.concat([Framer.encode({ a: 'é' }), Framer.encode({ b: 2 })]);
  // Byte by byte: frames split anywhere, including inside a UTF-8 sequence.
  for (const byte of bytes) framer.push(Buffer.from([byte]));
  assert.deepStrictEqual(got, [{ a: 'é' }, { b: 2 }]);
  say('framer ok');
}

async function testClient() {
  const client = new LspClient(bin, serverArgs);
  verbose(client);
  client.start();
  const init = await client.initialize({ maxTokens: 16, maxLatencyMs: 15000 });
  assert.ok(init.capabilities.inlineCompletionProvider, 'inlineCompletionProvider advertised');
  assert.deepStrictEqual(init.capabilities.executeCommandProvider.commands, ['augur.accept']);
  const uri = 'file:///tmp/augur-vscode-test/inventory.py';
  client.didOpen(uri, 'python', 1, fixture);
  // Type a new last line (one incremental change per keystroke, as VS Code sends them).
  const lines = fixture.split('\n');
  let line = lines.length - 1; // the fixture ends with a newline: the last line is empty
  const typed = '        return sum(item.';
  for (let i = 0; i < typed.length; i++) {
    client.didChange(uri, 2 + i, [{ range: { start: { line, character: i }, end: { line, character: i } }, text: typed[i] }]);
  }
  const position = { line, character: typed.length };
  const result = await client.request('textDocument/inlineCompletion', { textDocument: { uri }, position, context: { triggerKind: 2 } });
  assert.ok(Array.isArray(result.items) && result.items.length > 0, `items: ${JSON.stringify(result)}`);
  const item = result.items[0];
  assert.strictEqual(typeof item.insertText, 'string');
  assert.ok(item.insertText.length > 0, 'non-empty suggestion');
  assert.deepStrictEqual(item.range.start, position);
  assert.strictEqual(item.command.command, 'augur.accept');
  say(`inline item ${JSON.stringify(item.insertText)}`);

  // Greedy decoding: asking again gives the same text.
  const again = await client.request('textDocument/inlineCompletion', { textDocument: { uri }, position });
  assert.strictEqual(again.items[0].insertText, item.insertText);

  // Cancellation: the request is answered -32800 and counted by the server.
  const controller = new AbortController();
  const pending = client.request('textDocument/inlineCompletion', { textDocument: { uri }, position }, controller.signal);
  controller.abort();
  await assert.rejects(pending, (error) => error instanceof LspError && error.code === -32800);
  const stats = await client.request('augur/stats');
  assert.ok(stats.cancelledByClient >= 1, `cancelledByClient ${stats.cancelledByClient}`);
  say('cancel ok');

  // Feedback.
  client.notify('textDocument/didShowCompletion', { item });
  client.notify('textDocument/didPartiallyAcceptCompletion', { item, acceptedLength: 2 });
  await client.request('workspace/executeCommand', item.command);
  const feedback = (await client.request('augur/stats')).feedback;
  assert.deepStrictEqual([feedback.shown, feedback.partiallyAccepted, feedback.accepted], [1, 1, 1]);

  // Unknown server-side method: a proper LSP error, not a hang.
  await assert.rejects(client.request('augur/nope'), (error) => error.code === -32601);
  const exit = await client.stop();
  assert.strictEqual(exit.code, 0, `exit status ${JSON.stringify(exit)}`);
  say('client ok (clean shutdown)');
  return item.insertText;
}

async function testExtension(expected) {
  // Serve `require('vscode')` from the fake.
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
  control.registry.settings = { path: bin, args: serverArgs, initializationOptions: { maxTokens: 16, maxLatencyMs: 15000 }, debounceMs: 10 };
  const extension = require('../extension');
  const context = { subscriptions: [] };
  const doc = new TextDocument('/tmp/augur-vscode-test/ext.py', 'python', fixture);
  control.open(doc);
  await extension.activate(context);
  assert.strictEqual(control.registry.providers.length, 1, 'provider registered');
  const provider = control.registry.providers[0];
  // Type the same line as above, a character per change event.
  const typed = '        return sum(item.';
  for (const ch of typed) {
    const end = doc.end();
    control.edit(doc, new vscode.Range(end, end), ch);
  }
  const position = doc.end();
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
  const items = await provider.provideInlineCompletionItems(doc, position, { triggerKind: 1 }, token);
  assert.ok(items && items.length > 0, 'provider returned items');
  assert.strictEqual(items[0].insertText, expected, 'the provider shows the daemon\'s text');
  assert.strictEqual(items[0].range.start.character, position.character);
  say(`provider item ${JSON.stringify(items[0].insertText)}`);

  // A call VS Code cancels mid-flight answers nothing.
  let cancel;
  const cancellable = {
    isCancellationRequested: false,
    onCancellationRequested: (fn) => {
      cancel = fn;
      return { dispose() {} };
    },
  };
  const later = provider.provideInlineCompletionItems(doc, position, { triggerKind: 1 }, cancellable);
  cancellable.isCancellationRequested = true; // cancelled during the debounce: no request at all
  assert.strictEqual(await later, undefined);
  assert.strictEqual(cancel, undefined, 'no request was sent for a call cancelled while debouncing');

  // Accepting: VS Code inserts the text, then runs the item's command.
  provider.handleDidShowCompletionItem(items[0]);
  provider.handleDidPartiallyAcceptCompletionItem(items[0], 3);
  control.edit(doc, items[0].range, items[0].insertText);
  await vscode.commands.executeCommand(items[0].command.command, ...items[0].command.arguments);
  const stats = await extension.client().request('augur/stats');
  assert.strictEqual(stats.feedback.accepted, 1);
  assert.strictEqual(stats.feedback.shown, 1);
  assert.strictEqual(stats.feedback.partiallyAcceptedLength, 3);
  assert.strictEqual(stats.documentsOpened, 1);
  assert.ok(doc.getText().endsWith(typed + expected), 'document ends with the accepted text');
  await extension.deactivate();
  say('extension ok');
}

function testManifest() {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../package.json'), 'utf8'));
  for (const key of ['name', 'publisher', 'version', 'main', 'activationEvents']) assert.ok(manifest[key], `package.json ${key}`);
  assert.match(manifest.name, /^[a-z0-9][a-z0-9-]*$/, 'vsce: lowercase name without spaces');
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/, 'semver version');
  assert.match(manifest.engines.vscode, /^\^\d+\.\d+\.\d+$/, 'engines.vscode');
  assert.ok(fs.existsSync(path.join(__dirname, '..', manifest.main)), 'main exists');
  assert.ok(!manifest.dependencies || Object.keys(manifest.dependencies).length === 0, 'no dependencies');
  const props = manifest.contributes.configuration.properties;
  for (const [key, spec] of Object.entries(props)) {
    assert.ok(key.startsWith('augur.') && spec.type && spec.description, `setting ${key}`);
  }
  say('package.json ok');
}

(async () => {
  const deadline = setTimeout(() => {
    say('FAIL: over 90 s');
    process.exit(1);
  }, 90000);
  testManifest();
  testFramer();
  const expected = await testClient();
  await testExtension(expected);
  clearTimeout(deadline);
  say('PASS');
})().catch((error) => {
  say(`FAIL: ${error.stack || error}`);
  process.exit(1);
});
