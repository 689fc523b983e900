"""`init` writes a commented, valid starter spec with the schema modeline and a handler stub, and
refuses to overwrite anything."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.__main__ import main
from compiler.plan import plan_file
from compiler.validate import validate_file


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: starter\nruntime: python\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_a_spec_that_validates_and_plans_and_a_handler_it_names(project, capsys):
    assert main(["init", "specs/orders.yaml"]) == 0
    spec = project / "specs" / "orders.yaml"
    text = spec.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert "name: orders" in text and "#" in text.splitlines()[5]  # commented keys
    assert (project / "runtime_handlers" / "orders.py").read_text().count("def handler(event, context)") == 1
    assert validate_file(str(spec), project).warnings == []
    document = plan_file(str(spec), project_root=project)
    assert any(r["type"] == "aws:lambda/function:Function" for r in document["resources"])


def test_init_refuses_to_overwrite_and_writes_nothing(project, capsys):
    (project / "runtime_handlers").mkdir()
    (project / "runtime_handlers" / "orders.py").write_text("# mine\n")
    assert main(["init", "specs/orders.yaml"]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert not (project / "specs" / "orders.yaml").exists()
    assert (project / "runtime_handlers" / "orders.py").read_text() == "# mine\n"


def test_init_in_this_repository_points_the_modeline_at_the_schema_file(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "app.schema.json").write_text((root / "schema" / "app.schema.json").read_text())
    monkeypatch.chdir(tmp_path)
    assert main(["init", "specs/shop.yaml"]) == 0
    assert (tmp_path / "specs" / "shop.yaml").read_text().startswith("# yaml-language-server: $schema=../schema/app.schema.json")
