'use strict';
// A small LSP client over a child process's stdio, with no dependencies (and no `vscode` import, so it runs
// under plain node for the tests): Content-Length framing, requests as promises, cancellation
// ($/cancelRequest), notifications, and answers to the few requests a server sends the client.

const { spawn } = require('child_process');
const { EventEmitter } = require('events');

/** An LSP error answer: `code` is the JSON-RPC error code (-32800 cancelled, -32801 content modified, …). */
class LspError extends Error {
  constructor(code, message, data) {
    super(message);
    this.name = 'LspError';
    this.code = code;
    this.data = data;
  }
}

/** Splits a byte stream into JSON-RPC messages (`Content-Length: N\r\n\r\n` + N bytes of JSON). */
class Framer {
  constructor(onMessage) {
    this.buffer = Buffer.alloc(0);
    this.onMessage = onMessage;
  }

  push(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /Content-Length:\s*(\d+)/i.exec(header);
      if (!match) throw new Error(`LSP frame without Content-Length: ${JSON.stringify(header)}`);
      const length = Number(match[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      this.onMessage(JSON.parse(body));
    }
  }

  static encode(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
  }
}

/**
 * The client. Events: 'notification' (method, params), 'log' (line: the server's stderr and our own notes),
 * 'exit' (code, signal).
 */
class LspClient extends EventEmitter {
  /** @param {string} command @param {string[]} args @param {{env?: object, cwd?: string}} options */
  constructor(command, args = [], options = {}) {
    super();
    this.command = command;
    this.args = args;
    this.options = options;
    this.nextId = 1;
    this.pending = new Map(); // id -> { resolve, reject, method }
    this.capabilities = null;
    this.exited = null; // promise of { code, signal }
  }

  /** Starts the server process. */
  start() {
    const child = spawn(this.command, this.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: this.options.env || process.env,
      cwd: this.options.cwd,
    });
    this.child = child;
    const framer = new Framer((message) => this.dispatch(message));
    child.stdout.on('data', (chunk) => framer.push(chunk));
    let partial = '';
    child.stderr.on('data', (chunk) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop();
      for (const line of lines) this.emit('log', line);
    });
    child.stdin.on('error', (error) => this.emit('log', `augur stdin: ${error.message}`));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        for (const { reject, method } of this.pending.values()) {
          reject(new LspError(-32099, `server exited (${code ?? signal}) before answering ${method}`));
        }
        this.pending.clear();
        this.emit('exit', code, signal);
        resolve({ code, signal });
      });
    });
    child.on('error', (error) => this.emit('log', `cannot start ${this.command}: ${error.message}`));
    return this;
  }

  send(message) {
    if (!this.child || this.child.exitCode !== null || !this.child.stdin.writable) return false;
    this.child.stdin.write(Framer.encode({ jsonrpc: '2.0', ...message }));
    return true;
  }

  /**
   * Sends a request. Returns { id, promise }; the promise resolves with the result or rejects with LspError.
   * `token` may be a VS Code CancellationToken (onCancellationRequested) or an AbortSignal: cancelling sends
   * $/cancelRequest (the server then answers -32800).
   */
  sendRequest(method, params, token) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
    });
    if (!this.send({ id, method, params })) {
      this.pending.get(id).reject(new LspError(-32099, `server not running; cannot send ${method}`));
      this.pending.delete(id);
    }
    if (token) {
      const cancel = () => this.cancel(id);
      if (typeof token.onCancellationRequested === 'function') {
        if (token.isCancellationRequested) cancel();
        else token.onCancellationRequested(cancel);
      } else if (typeof token.addEventListener === 'function') {
        if (token.aborted) cancel();
        else token.addEventListener('abort', cancel, { once: true });
      }
    }
    return { id, promise };
  }

  request(method, params, token) {
    return this.sendRequest(method, params, token).promise;
  }

  /** Cancels request `id` if it is still unanswered. */
  cancel(id) {
    if (this.pending.has(id)) this.notify('$/cancelRequest', { id });
  }

  notify(method, params) {
    return this.send({ method, params });
  }

  dispatch(message) {
    if (message.id !== undefined && message.method === undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new LspError(message.error.code, message.error.message, message.error.data));
      else waiter.resolve(message.result === undefined ? null : message.result);
    } else if (message.id !== undefined) {
      this.answerServerRequest(message);
    } else if (message.method) {
      if (message.method === 'window/showMessage' || message.method === 'window/logMessage') {
        this.emit('log', `augur: ${message.params && message.params.message}`);
      }
      this.emit('notification', message.method, message.params);
    }
  }

  /** Requests from the server: progress tokens and configuration are fine; others are not implemented. */
  answerServerRequest(message) {
    switch (message.method) {
      case 'window/workDoneProgress/create':
        this.send({ id: message.id, result: null });
        break;
      case 'workspace/configuration':
        this.send({ id: message.id, result: (message.params.items || []).map(() => null) });
        break;
      default:
        this.send({ id: message.id, error: { code: -32601, message: `${message.method} is not supported by this client` } });
    }
  }

  /** initialize + initialized. Positions are UTF-16, as in VS Code. Returns the initialize result. */
  async initialize(initializationOptions = {}, rootUri = null) {
    const result = await this.request('initialize', {
      processId: process.pid,
      clientInfo: { name: 'augur-vscode' },
      rootUri,
      capabilities: {
        general: { positionEncodings: ['utf-16'] },
        textDocument: {
          synchronization: { didSave: true },
          inlineCompletion: { dynamicRegistration: false },
        },
        window: { workDoneProgress: true },
      },
      initializationOptions,
    });
    this.capabilities = result.capabilities;
    this.notify('initialized', {});
    return result;
  }

  didOpen(uri, languageId, version, text) {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  /** `changes`: LSP TextDocumentContentChangeEvent[] ({ range, text } or { text } for the whole document). */
  didChange(uri, version, changes) {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  didClose(uri) {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** shutdown + exit, then waits (up to `timeoutMs`) for the process to end; kills it if it doesn't. */
  async stop(timeoutMs = 3000) {
    if (!this.child || this.child.exitCode !== null) return this.exited;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      await Promise.race([this.request('shutdown'), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
      this.notify('exit');
    } catch (_) {
      this.child.kill('SIGTERM');
    }
    const exited = await this.exited;
    clearTimeout(timer);
    return exited;
  }
}

module.exports = { LspClient, LspError, Framer };
