// The jixiao extension: highlighting comes from the grammar (package.json); everything
// else from the language server, `jixiao lsp`, started over stdio.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("jixiao");
  const command = config.get("server.command", "jixiao");
  const lang = config.get("lang", "both");
  const server = { command, args: ["lsp", "--lang", lang], transport: TransportKind.stdio };
  client = new LanguageClient("jixiao", "jixiao", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "jixiao" }, { scheme: "untitled", language: "jixiao" }],
    initializationOptions: { lang },
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
