"""libyaml (when PyYAML has it) and the pure-Python loader must give the same data and the same
marks: diagnostics point at the operator's text whichever composed it, and anything libyaml
rejects is re-read by the pure-Python loader for its messages."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compiler import loader
from compiler.errors import SpecError

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("specs/*.yaml"), *ROOT.glob("tests/golden/*/spec.yaml")])

pytestmark = pytest.mark.skipif(loader._CSpecYamlLoader is None, reason="PyYAML was built without libyaml")


def load_with(text: str, file: str, fast: bool, monkeypatch):
    if not fast:
        monkeypatch.setattr(loader, "_CSpecYamlLoader", None)
    try:
        spec = loader.load_text(text, file)
        return spec.data, spec.value_marks, spec.key_marks, spec.bool_texts
    except SpecError as exc:
        return [d.format() for d in exc.diagnostics]


@pytest.mark.parametrize("spec", SPECS)
def test_both_loaders_give_the_same_data_marks_and_diagnostics(spec, monkeypatch):
    text = (ROOT / spec).read_text(encoding="utf-8")
    fast = load_with(text, spec, True, monkeypatch)
    slow = load_with(text, spec, False, monkeypatch)
    assert fast == slow


def test_the_fast_loader_is_used_for_plain_text_and_not_for_control_characters(monkeypatch):
    used = []
    real = loader._CSpecYamlLoader

    class Spy(real):
        def __init__(self, text):
            used.append(text)
            super().__init__(text)
    monkeypatch.setattr(loader, "_CSpecYamlLoader", Spy)
    loader.load_text("version: 1\n", "a.yaml")
    assert used == ["version: 1\n"]
    with pytest.raises(SpecError) as raised:
        loader.load_text("version: 1\nname: a\x07b\n", "b.yaml")
    assert len(used) == 1 and "U+0007" in raised.value.diagnostics[0].message
    assert isinstance(yaml.reader.Reader.NON_PRINTABLE.pattern, str)
