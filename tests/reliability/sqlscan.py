"""A static check that SQL is never built from run-time values: pure, used by test_security."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SQL_TEXT = re.compile(r"\b(SELECT\b.*\bFROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (?:TABLE|DATABASE|ROLE|"
                      r"INDEX|VIEW)|DROP (?:TABLE|DATABASE|ROLE)|ALTER (?:TABLE|ROLE)|GRANT |REVOKE |TRUNCATE )",
                      re.S)
EXECUTORS = {"execute", "executemany", "copy", "SQL"}


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _is_built_string(node: ast.AST) -> bool:
    """An f-string with placeholders, ``"..." % x``, ``"...".format(x)`` or ``"..." + x``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return bool(_literal_text(node.left) or _literal_text(node.right)) or _is_built_string(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return bool(_literal_text(node.func.value))
    return False


def _sql_of(node: ast.AST) -> str:
    if isinstance(node, ast.BinOp):
        return _sql_of(node.left) + _sql_of(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _literal_text(node.func.value)
    return _literal_text(node)


def unsafe_sql(path: Path) -> list[str]:
    """``file:line`` of SQL text built with run-time values: inside a function (module-level constants are built
    once at import from other constants), or passed straight to ``execute``/``executemany``/``copy``/``sql.SQL``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in EXECUTORS and node.args and _is_built_string(node.args[0]):
                found.append(f"{path}:{node.lineno}")
        elif id(node) in in_function and _is_built_string(node) and SQL_TEXT.search(_sql_of(node)):
            found.append(f"{path}:{node.lineno}")
    return sorted(set(found))
