"""What people read: 评分标准 generated from the rules, 评分依据 in words (``explain``),
the text score table (``report``), and the published/report tables with their XLSX,
HTML and Markdown writers (``tables``)."""
