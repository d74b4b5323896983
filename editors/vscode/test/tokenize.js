// Tokenise files with the extension's TextMate grammar as VS Code does (vscode-textmate
// with the Oniguruma regular expressions of vscode-oniguruma).
//   node test/tokenize.js FILE...          JSON: per file, per line, [text, scopes]
//   node test/tokenize.js --check FILE...  exit 1 unless keywords, numbers, strings and comments are found
"use strict";
const fs = require("fs");
const path = require("path");
const oniguruma = require("vscode-oniguruma");
const vsctm = require("vscode-textmate");

async function main(args) {
  const check = args[0] === "--check";
  const files = check ? args.slice(1) : args;
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => scope === "source.jixiao"
      ? vsctm.parseRawGrammar(fs.readFileSync(path.join(__dirname, "..", "syntaxes", "jixiao.tmLanguage.json"), "utf8"), "jixiao.tmLanguage.json")
      : null,
  });
  const grammar = await registry.loadGrammar("source.jixiao");
  const out = {};
  for (const file of files) {
    const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
    let stack = vsctm.INITIAL;
    out[file] = lines.map((line) => {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.slice(1)]);
    });
  }
  if (!check) {
    process.stdout.write(JSON.stringify(out));
    return;
  }
  for (const [file, lines] of Object.entries(out)) {
    const scopes = lines.flat().flatMap(([, s]) => s);
    const need = ["storage.type.indicator.jixiao", "keyword.control.jixiao", "constant.numeric.jixiao",
                  "string.quoted.double.jixiao", "comment.line.number-sign.jixiao", "keyword.operator.jixiao"];
    const missing = need.filter((s) => !scopes.includes(s));
    if (missing.length) {
      console.error(`${file}: no ${missing.join(", ")}`);
      process.exit(1);
    }
    console.log(`${file}: ${lines.length} lines tokenised`);
  }
}

main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });
