"""Every audit action the code base records has plain words; details read as lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import lfr
from lfr.audit.labels import ACTION_LABELS, action_label, detail_lines

SOURCES = Path(lfr.__file__).parent


def _strings_assigned(scope: ast.AST, name: str) -> list[str]:
    """The string constants ever assigned to ``name`` in a function or module."""
    found = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(str(node.value.value))
    return found


def _imported_strings(tree: ast.Module, name: str) -> list[str]:
    """The string constant ``name`` holds in the lfr module it is imported from, if any."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lfr.")):
            continue
        if any(alias.name == name and alias.asname is None for alias in node.names):
            module = SOURCES.joinpath(*str(node.module).split(".")[1:]).with_suffix(".py")
            return _strings_assigned(ast.parse(module.read_text()), name)
    return []


def _action_argument(call: ast.Call) -> ast.expr | None:
    """``services.record(session, actor, ACTION, target, details)``'s action."""
    for keyword in call.keywords:
        if keyword.arg == "action":
            return keyword.value
    return call.args[2] if len(call.args) >= 3 else None


def _codes_in(tree: ast.Module, where: str) -> Iterator[str]:
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    for call in ast.walk(tree):
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "record"
            and (argument := _action_argument(call)) is not None
        ):
            continue
        if isinstance(argument, ast.Constant):
            yield str(argument.value)
            continue
        assert isinstance(argument, ast.Name), f"{where}:{call.lineno}: unreadable action"
        enclosing = [f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or 0)]
        scope: ast.AST = enclosing[-1] if enclosing else tree
        codes = (
            _strings_assigned(scope, argument.id)
            or _strings_assigned(tree, argument.id)
            or _imported_strings(tree, argument.id)
        )
        assert codes, f"{where}:{call.lineno}: cannot tell which action {argument.id} holds"
        yield from codes


def recorded_actions() -> set[str]:
    """Every action code passed to ``services.record`` anywhere in src/lfr."""
    codes: set[str] = set()
    for path in sorted(SOURCES.rglob("*.py")):
        codes |= set(_codes_in(ast.parse(path.read_text()), str(path.relative_to(SOURCES))))
    return codes


def test_the_scan_finds_the_actions_recorded_through_constants_and_variables() -> None:
    codes = recorded_actions()
    # a literal, a module constant (login_failures.AUDIT_ACTION), a local variable (media)
    assert {"deployment.authorise", "auth.login_failures", "alert.media.exported"} <= codes


def test_every_recorded_action_has_a_label() -> None:
    missing = sorted(recorded_actions() - set(ACTION_LABELS))
    assert not missing, f"audit actions without a label in lfr/audit/labels.py: {missing}"


def test_labels_are_plain_words() -> None:
    assert action_label("deployment.authorise") == "Deployment authorised"
    for code, label in ACTION_LABELS.items():
        assert label[0].isupper() and "." not in label and "_" not in label, (code, label)


def test_an_unknown_code_is_spelled_out_from_its_parts() -> None:
    assert action_label("camera.health_warning") == "Camera health warning"


def test_details_read_as_key_value_lines() -> None:
    lines = detail_lines(
        {
            "record_updated": True,
            "to": None,
            "problems": ["a", "b"],
            "rules": {"alert_days": 31, "snapshot_hours": 24},
            "as_of": "2026-12-01T20:28:32.288898+01:00",
            "code": "2026-12-01T20:28 no zone, left as it is",
        }
    )
    assert lines == [
        ("record updated", "yes"),
        ("to", "—"),
        ("problems", "a, b"),
        ("rules", "alert days: 31; snapshot hours: 24"),
        ("as of", "2026-12-01 19:28:32 UTC"),
        ("code", "2026-12-01T20:28 no zone, left as it is"),
    ]
