"""The language server (``jixiao lsp``, stdio): pygls over :mod:`.analysis`.

Each open document is an :class:`analysis.Document`; an edit is checked after a short
pause in typing (``DEBOUNCE``) and its diagnostics published; a request (hover,
completion, definition, outline, code actions) first brings the analysis up to the
text it is about. Positions: the analysis counts code points, the client's encoding
(UTF-16 unless negotiated) is pygls' position codec's business. Formatting calls the
formatter through :mod:`.formatter`.
"""
from __future__ import annotations

import asyncio
from typing import Optional

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import ServerTextPosition

from ...dsl.diagnostics import JixiaoError, render_text
from . import formatter
from .analysis import Document
from .model import Problem, Range

DEBOUNCE = 0.25          # seconds of quiet after an edit before it is checked
SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
            "info": lsp.DiagnosticSeverity.Information}
SYMBOL = {"level1": lsp.SymbolKind.Module, "level2": lsp.SymbolKind.Namespace, "level3": lsp.SymbolKind.Class,
          "item": lsp.SymbolKind.Field, "input": lsp.SymbolKind.Variable, "local": lsp.SymbolKind.Constant,
          "grades": lsp.SymbolKind.Enum, "band": lsp.SymbolKind.EnumMember, "method": lsp.SymbolKind.Function,
          "case": lsp.SymbolKind.Object}
COMPLETION = {"input": lsp.CompletionItemKind.Variable, "local": lsp.CompletionItemKind.Variable,
              "param": lsp.CompletionItemKind.Variable, "indicator": lsp.CompletionItemKind.Class,
              "method": lsp.CompletionItemKind.Function, "function": lsp.CompletionItemKind.Function,
              "keyword": lsp.CompletionItemKind.Keyword, "total": lsp.CompletionItemKind.Constant}


class JixiaoServer(LanguageServer):
    def __init__(self, lang: str = "both"):
        super().__init__("jixiao", "0.1.0")
        self.lang = lang
        self.docs: dict[str, Document] = {}
        self.pending: dict[str, asyncio.Task] = {}

    # ── documents ──
    def document(self, uri: str) -> Document:
        """The analysis of ``uri``, up to date with its text."""
        text = self.workspace.get_text_document(uri).source
        doc = self.docs.get(uri)
        if doc is None:
            path = to_fs_path(uri) if uri.startswith("file:") else None
            doc = self.docs[uri] = Document(path, self.lang, name=uri)
        if doc.text != text:
            doc.update(text)
        return doc

    def publish(self, uri: str) -> None:
        doc = self.document(uri)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, diagnostics=[self.diagnostic(uri, p) for p in doc.problems]))

    def schedule(self, uri: str, delay: float = DEBOUNCE) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()

        async def later():
            await asyncio.sleep(delay)
            self.pending.pop(uri, None)
            self.publish(uri)
        self.pending[uri] = asyncio.get_running_loop().create_task(later())

    # ── positions ──
    def to_client(self, uri: Optional[str], path: Optional[str], rng: Range) -> lsp.Range:
        lines = self._lines(uri, path)
        codec = self.workspace.position_codec
        start = codec.position_to_client_units(lines, ServerTextPosition(rng.line, rng.col))
        end = codec.position_to_client_units(lines, ServerTextPosition(rng.end_line, rng.end_col))
        return lsp.Range(start, end)

    def _lines(self, uri, path):
        """The lines of an open document, or of a file on disk (pygls reads it)."""
        try:
            return self.workspace.get_text_document(uri).lines
        except (OSError, UnicodeDecodeError):
            return []

    def at(self, params) -> tuple[str, Document, int, int]:
        """(uri, its analysis, line, column) of a request about a position."""
        uri = params.text_document.uri
        line, col = self.from_client(uri, params.position)
        return uri, self.document(uri), line, col

    def from_client(self, uri: str, pos: lsp.Position) -> tuple[int, int]:
        doc = self.workspace.get_text_document(uri)
        p = doc.position_codec.position_from_client_units(doc.lines, pos)
        return p.line, p.character

    def uri_of(self, path: Optional[str], uri: str) -> tuple[str, Optional[str]]:
        """(uri, path) of a file an answer points to (None: the document itself)."""
        if path is None or path == self.docs[uri].path:
            return uri, None
        other = from_fs_path(path)
        return other, path

    def diagnostic(self, uri: str, p: Problem) -> lsp.Diagnostic:
        related = []
        for r in p.related:
            ruri, rpath = self.uri_of(r.path, uri)
            related.append(lsp.DiagnosticRelatedInformation(lsp.Location(ruri, self.to_client(ruri, rpath, r.range)), r.message))
        return lsp.Diagnostic(range=self.to_client(uri, None, p.range), message=p.message, severity=SEVERITY[p.severity],
                              code=p.code, source="jixiao", related_information=related or None)


def build(lang: str = "both") -> JixiaoServer:
    """The server with its features (not yet started)."""
    server = JixiaoServer(lang)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: JixiaoServer, params: lsp.InitializeParams):
        opts = params.initialization_options
        if isinstance(opts, dict) and opts.get("lang") in ("both", "zh", "en"):
            ls.lang = opts["lang"]

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: JixiaoServer, params: lsp.DidOpenTextDocumentParams):
        ls.publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: JixiaoServer, params: lsp.DidChangeTextDocumentParams):
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: JixiaoServer, params: lsp.DidSaveTextDocumentParams):
        ls.publish(params.text_document.uri)       # libraries it imports may have changed on disk

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: JixiaoServer, params: lsp.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.docs.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: JixiaoServer, params: lsp.HoverParams):
        uri, doc, line, col = ls.at(params)
        text = doc.hover(line, col)
        if text is None:
            return None
        word = doc.word_at(line, col)
        rng = ls.to_client(uri, None, word[1]) if word else None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), rng)

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", "「"]))
    def completion(ls: JixiaoServer, params: lsp.CompletionParams):
        uri, doc, line, col = ls.at(params)
        items = []
        for c in doc.complete(line, col):
            order = "2" if c.kind in ("keyword", "function") else "1"
            items.append(lsp.CompletionItem(c.label, kind=COMPLETION.get(c.kind), detail=c.detail or None, sort_text=order + c.label,
                                            text_edit=lsp.TextEdit(ls.to_client(uri, None, c.replace), c.insert) if c.replace else None))
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: JixiaoServer, params: lsp.DefinitionParams):
        uri, doc, line, col = ls.at(params)
        hit = doc.definition(line, col)
        if hit is None:
            return None
        path, rng = hit
        target_uri, target_path = ls.uri_of(path, uri)
        return lsp.Location(target_uri, ls.to_client(target_uri, target_path, rng))

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(ls: JixiaoServer, params: lsp.DocumentSymbolParams):
        uri = params.text_document.uri
        doc = ls.document(uri)

        def conv(s):
            return lsp.DocumentSymbol(s.name, SYMBOL.get(s.kind, lsp.SymbolKind.Variable), ls.to_client(uri, None, s.range),
                                      ls.to_client(uri, None, s.selection), detail=s.detail or None,
                                      children=[conv(c) for c in s.children] or None)
        return [conv(s) for s in doc.outline()]

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def format_document(ls: JixiaoServer, params: lsp.DocumentFormattingParams):
        uri = params.text_document.uri
        doc = ls.document(uri)
        try:
            new = formatter.format_source(doc.text, doc.name)
        except JixiaoError as e:
            ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, render_text(e.diagnostics, "concise", ls.lang)))
            return None
        if new is None:
            ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, "jixiao: no formatter installed"))
            return None
        if new == doc.text:
            return []
        lines = doc.text.split("\n")
        whole = Range(0, 0, len(lines) - 1, len(lines[-1]))
        return [lsp.TextEdit(ls.to_client(uri, None, whole), new)]

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    def code_action(ls: JixiaoServer, params: lsp.CodeActionParams):
        uri = params.text_document.uri
        doc = ls.document(uri)
        start = ls.from_client(uri, params.range.start)
        end = ls.from_client(uri, params.range.end)
        out = []
        for problem, action in doc.actions(Range(*start, *end)):
            edits = [lsp.TextEdit(ls.to_client(uri, None, e.range), e.text) for e in action.edits]
            out.append(lsp.CodeAction(action.title, kind=lsp.CodeActionKind.QuickFix,
                                      diagnostics=[ls.diagnostic(uri, problem)], is_preferred=action.preferred or None,
                                      edit=lsp.WorkspaceEdit(changes={uri: edits})))
        return out

    return server


def main(lang: str = "both") -> None:
    """``jixiao lsp``: serve on stdin/stdout until the client says exit."""
    build(lang).start_io()
