"""jixiao back end: checked IR -> Python source -> code object; runtime; API; CLI."""
