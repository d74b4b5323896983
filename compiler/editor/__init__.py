"""Editing rulebooks: the analysis of one open document (analysis.py), the language
server over it (lsp.py, ``jixiao lsp``), the local web editor (serve.py, ``jixiao
serve``, its page in web/) and the adapter to the formatter (formatter.py).

Nothing here is imported by the rest of jixiao; pygls is needed only by lsp.py (the
``editor`` extra).
"""
