"""The standard library of jixiao: shipped rulebooks (附件2 部门整体支出, 附件3 部门整体支出自评,
项目支出自评) and the method library ``计分方法.jx`` that ``引用 "计分方法.jx"`` finds.

The files are data (``.jx``), read through :mod:`importlib.resources`; this package has
no code."""
