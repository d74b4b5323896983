"""A language-server session for tests: pygls' LanguageClient drives ``jixiao lsp`` in a
subprocess over stdio, on an event loop in a thread of its own, so that tests call it
as plain functions (``session.call(client.text_document_hover_async(...))``)."""
from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path


def jixiao_command() -> list[str]:
    """``jixiao`` as installed beside this Python (the console script), else ``python -m``."""
    script = Path(sys.executable).with_name("jixiao")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jixiao.compiler.cli"]


class Session:
    def __init__(self, cmd: list[str], init_options=None):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = LanguageClient("jixiao-tests", "1")
        self.diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.messages: list[str] = []
        self._versions: dict[str, int] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: lsp.PublishDiagnosticsParams):
            self.diagnostics[params.uri] = params.diagnostics

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def on_message(params: lsp.ShowMessageParams):
            self.messages.append(params.message)

        self.call(self.client.start_io(*cmd))
        self.capabilities = self.call(self.client.initialize_async(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), root_uri=None, initialization_options=init_options))).capabilities
        self.client.initialized(lsp.InitializedParams())

    def call(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    # ── documents ──
    def open(self, path: Path, text: str | None = None) -> str:
        uri = from_fs_path(str(path))
        text = path.read_text(encoding="utf-8") if text is None else text
        self._versions[uri] = 1
        self.diagnostics.pop(uri, None)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="jixiao", version=1, text=text)))
        return uri

    def change(self, uri: str, rng: lsp.Range, text: str) -> None:
        """An incremental edit, as an editor sends one per keystroke or paste."""
        self._versions[uri] += 1
        self.diagnostics.pop(uri, None)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=self._versions[uri]),
            [lsp.TextDocumentContentChangePartial(range=rng, text=text)]))

    def wait_diagnostics(self, uri: str, timeout: float = 20) -> list[lsp.Diagnostic]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if uri in self.diagnostics:
                return self.diagnostics[uri]
            time.sleep(0.02)
        raise TimeoutError(f"no diagnostics for {uri}")

    def close(self) -> None:
        try:
            self.call(self.client.shutdown_async(None), timeout=10)
            self.client.exit(None)
            self.call(self.client.stop(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


def pos(line: int, character: int) -> lsp.Position:
    return lsp.Position(line=line, character=character)


def doc_id(uri: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri=uri)
