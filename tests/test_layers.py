"""Dependency layers, offline: pip installs a wheel written by hand from a local folder
(--no-index), so no test needs the network. pip runs are slow, so the module builds one layer
twice (module fixture) and runs pip once more for a failure; the other tests run no pip."""
from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from compiler import layers
from compiler.layers import PLATFORMS, LayerBuildError, build_layer, layer_hash, pip_command

WHEEL_FILES = {
    "mypkg/__init__.py": b"VALUE = 42\n\ndef main():\n    print(VALUE)\n",
    "mypkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: mypkg\nVersion: 1.0\n",
    "mypkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    # A console script: pip writes it to bin/ with this interpreter's path in its shebang.
    "mypkg-1.0.dist-info/entry_points.txt": b"[console_scripts]\nmycmd = mypkg:main\n",
}


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(folder: Path) -> Path:
    wheel = folder / "mypkg-1.0-py3-none-any.whl"
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in WHEEL_FILES.items())
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in WHEEL_FILES.items():
            archive.writestr(name, data)
        archive.writestr("mypkg-1.0.dist-info/RECORD", record + "mypkg-1.0.dist-info/RECORD,,\n")
    return wheel


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One requirements file built into two different output folders: (requirements, wheel
    folder, first zip, second zip)."""
    base = tmp_path_factory.mktemp("layers")
    wheels = base / "wheels"
    wheels.mkdir()
    write_wheel(wheels)
    requirements = base / "requirements.txt"
    requirements.write_text("mypkg==1.0\n")
    offline = ["--no-index", "--find-links", str(wheels)]
    first = build_layer(requirements, "python3.12", "x86_64", base / "out-a", extra_pip_args=offline)
    second = build_layer(requirements, "python3.12", "x86_64", base / "out-b", extra_pip_args=offline)
    return requirements, wheels, first, second


def test_the_layer_holds_the_package_under_python(built):
    _, _, first, _ = built
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert "python/mypkg/__init__.py" in names
        assert archive.read("python/mypkg/__init__.py") == WHEEL_FILES["mypkg/__init__.py"]
        assert "python/mypkg-1.0.dist-info/METADATA" in names
    assert all(name.startswith("python/") for name in names)
    assert names == sorted(names)


def test_the_layer_is_named_by_its_content_hash(built):
    requirements, _, first, _ = built
    assert first.name == layer_hash(requirements, "python3.12", "x86_64") + ".zip"
    assert [p.name for p in first.parent.iterdir()] == [first.name], "no partial files are left behind"


def test_two_builds_into_different_folders_are_byte_identical(built):
    _, _, first, second = built
    assert first != second
    assert first.read_bytes() == second.read_bytes()


def test_the_layer_carries_nothing_from_the_build_machine(built):
    _, _, first, _ = built
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        contents = [archive.read(info) for info in infos]
    names = [info.filename for info in infos]
    assert not [n for n in names if n.startswith("python/bin/") or n.endswith(("/RECORD", ".pyc")) or "__pycache__" in n]
    assert not [n for n in names if n.endswith("/")], "no folder entries"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    assert not [n for n, data in zip(names, contents) if sys.executable.encode() in data]


def test_a_second_build_into_the_same_folder_reuses_the_zip_without_pip(built, monkeypatch):
    requirements, wheels, first, _ = built
    before = first.read_bytes()

    def no_pip(*args, **kwargs):
        raise AssertionError("pip ran for a layer that was already built")

    monkeypatch.setattr(layers.subprocess, "run", no_pip)
    again = build_layer(requirements, "python3.12", "x86_64", first.parent,
                        extra_pip_args=["--no-index", "--find-links", str(wheels)])
    assert again == first
    assert again.read_bytes() == before


def test_an_unsatisfiable_requirement_names_itself_in_the_error(built, tmp_path):
    _, wheels, _, _ = built
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("notapackage-xyz==9.9\n")
    out = tmp_path / "out"
    with pytest.raises(LayerBuildError) as error:
        build_layer(requirements, "python3.12", "arm64", out, extra_pip_args=["--no-index", "--find-links", str(wheels)])
    message = str(error.value)
    assert "notapackage-xyz" in message
    assert "--platform manylinux2014_aarch64" in message, "the message shows the command"
    assert not list(out.glob("*.zip")), "a failed build leaves no layer to reuse"


def test_a_requirements_file_that_installs_nothing_is_an_error(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# nothing pinned yet\n")
    # pip succeeds on a file without requirements; stand in for it without running it.
    monkeypatch.setattr(layers.subprocess, "run",
                        lambda command, **kwargs: subprocess.CompletedProcess(command, 0, "", ""))
    with pytest.raises(LayerBuildError, match="installed nothing"):
        build_layer(requirements, "python3.12", "x86_64", tmp_path / "out")
    assert not list((tmp_path / "out").iterdir())


def test_the_layer_hash_follows_runtime_architecture_and_content_but_not_line_endings(tmp_path):
    unix, windows, other = tmp_path / "unix.txt", tmp_path / "windows.txt", tmp_path / "other.txt"
    unix.write_bytes(b"requests==2.32.3\nurllib3==2.2.3\n")
    windows.write_bytes(b"requests==2.32.3\r\nurllib3==2.2.3\r\n")
    other.write_bytes(b"requests==2.32.4\nurllib3==2.2.3\n")
    base = layer_hash(unix, "python3.12", "x86_64")
    assert layer_hash(windows, "python3.12", "x86_64") == base
    assert layer_hash(unix, "python3.12", "x86_64") == base
    assert layer_hash(unix, "python3.13", "x86_64") != base
    assert layer_hash(unix, "python3.12", "arm64") != base
    assert layer_hash(other, "python3.12", "x86_64") != base


def test_the_layer_hash_refuses_what_could_never_be_built(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("mypkg==1.0\n")
    with pytest.raises(ValueError, match="nodejs20.x"):
        layer_hash(requirements, "nodejs20.x", "x86_64")
    with pytest.raises(ValueError, match="sparc"):
        layer_hash(requirements, "python3.12", "sparc")


def test_pip_targets_lambdas_platform_and_python_not_the_build_machines(tmp_path):
    command = pip_command(tmp_path / "requirements.txt", tmp_path / "work", "python3.13", "arm64")
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[command.index("--platform") + 1] == "manylinux2014_aarch64" == PLATFORMS["arm64"]
    assert command[command.index("--python-version") + 1] == "3.13"
    assert command[command.index("--implementation") + 1] == "cp"
    assert command[command.index("--target") + 1] == str(tmp_path / "work" / "python")
    assert command[command.index("--requirement") + 1] == str(tmp_path / "requirements.txt")
    assert "--only-binary=:all:" in command and "--no-compile" in command
    assert "--no-deps" not in command, "transitive dependencies missing from the file are still installed"


def test_extra_pip_arguments_come_last(tmp_path):
    command = pip_command(tmp_path / "r.txt", tmp_path, "python3.12", "x86_64", ["--no-index", "--find-links", "w"])
    assert command[-3:] == ["--no-index", "--find-links", "w"]
    assert command[command.index("--platform") + 1] == "manylinux2014_x86_64"


def test_an_executable_file_keeps_its_mode_and_nothing_else_varies(tmp_path):
    tool, data = tmp_path / "tool", tmp_path / "data.txt"
    tool.write_bytes(b"\x7fELF")
    tool.chmod(0o700)
    data.write_text("x")
    data.chmod(0o600)
    out = tmp_path / "out.zip"
    layers.write_zip(out, [("python/pkg/data.txt", data), ("python/pkg/tool", tool)])
    with zipfile.ZipFile(out) as archive:
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert modes == {"python/pkg/data.txt": 0o100644, "python/pkg/tool": 0o100755}
