"""Validation of `code` folders in a project laid out by the test: the folder must exist and hold
the handler's module (E322), so a function never ships code that cannot import its handler."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.errors import SpecError
from compiler.validate import validate_file

SPEC = """\
version: 1
name: shop
region: eu-west-1
functions:
  orders:
    handler: runtime_handlers.orders.app.handler
    code: {code}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    for folder in ("orders", "billing"):
        (tmp_path / "runtime_handlers" / folder).mkdir(parents=True)
    (tmp_path / "runtime_handlers" / "orders" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    return tmp_path


def validate(project: Path, code: str) -> list:
    spec = project / "spec.yaml"
    spec.write_text(SPEC.format(code=code))
    try:
        validate_file(str(spec), project)
    except SpecError as exc:
        return [(d.code, d.path, d.message) for d in exc.diagnostics]
    return []


def test_a_code_folder_that_holds_the_handler_module_is_valid(project):
    assert validate(project, "runtime_handlers/orders") == []
    assert validate(project, "runtime_handlers") == []


def test_a_handler_module_outside_the_code_folder_is_reported_on_the_handler(project):
    [(code, path, message)] = validate(project, "runtime_handlers/billing")
    assert (code, path) == ("E322", "functions.orders.handler")
    assert "outside the code folder 'runtime_handlers/billing'" in message


def test_a_missing_code_folder_is_reported_on_the_code_key(project):
    [(code, path, _)] = validate(project, "runtime_handlers/shipping")
    assert (code, path) == ("E322", "functions.orders.code")
