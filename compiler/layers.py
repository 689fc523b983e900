"""Dependencies from a pinned requirements file, built into a Lambda layer zip.

- Built only when the real engine runs the program: the offline plan shows `layer_hash` (the
  content hash) and never needs pip or the network.
- `pip install --target` with manylinux binary wheels only, for the function's architecture and
  Python version rather than the build machine's, so a laptop builds what Lambda can import.
  No source builds: a package without a matching wheel fails the build instead of shipping a
  binary compiled for the wrong machine.
- Content-addressed: the zip is `<layer_hash>.zip`, so unchanged requirements, runtime and
  architecture reuse the zip already built, and the zip itself is byte-for-byte reproducible
  (sorted entries, fixed timestamps and modes), so the layer is never republished needlessly.

Lambda extracts a layer under /opt, and /opt/python is on sys.path for Python runtimes: every
entry therefore starts with `python/`. This module never imports Pulumi.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Sequence

PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
LAYER_ROOT = "python"
# Bump when the zip's layout or the pip options change, so old cached zips are not reused.
LAYER_FORMAT = "lambda-python-layer/1"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9
STDERR_TAIL_LINES = 20

_RUNTIME = re.compile(r"^python(\d+\.\d+)$")
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})


class LayerBuildError(RuntimeError):
    """pip could not install the requirements (or installed nothing); the message holds the
    command and the end of pip's error output."""


def python_version(runtime: str) -> str:
    """'3.12' for 'python3.12'; ValueError for anything that is not a Python runtime."""
    match = _RUNTIME.match(runtime)
    if not match:
        raise ValueError(f"runtime {runtime!r} is not a Python runtime such as python3.12")
    return match.group(1)


def platform_tag(architecture: str) -> str:
    """The manylinux platform pip selects wheels for; ValueError for an unknown architecture."""
    try:
        return PLATFORMS[architecture]
    except KeyError:
        raise ValueError(f"architecture {architecture!r} is not one of {sorted(PLATFORMS)}") from None


def layer_hash(requirements_file: Path, runtime: str, architecture: str) -> str:
    """sha256 hex over the requirements file's bytes (line endings normalised to '\\n'), the
    runtime and the architecture: the layer changes only when one of those changes."""
    python_version(runtime), platform_tag(architecture)  # reject what could never be built
    content = Path(requirements_file).read_bytes().replace(b"\r\n", b"\n")
    digest = hashlib.sha256()
    # Length-prefixed fields: no two different inputs serialise to the same bytes.
    for field in (LAYER_FORMAT.encode(), runtime.encode(), architecture.encode(), content):
        digest.update(len(field).to_bytes(8, "big"))
        digest.update(field)
    return digest.hexdigest()


def pip_command(requirements_file: Path, target_dir: Path, runtime: str, architecture: str,
                extra_args: Sequence[str] = ()) -> list[str]:
    """The pip invocation installing `requirements_file` into `target_dir/python` for Lambda's
    `runtime` and `architecture`: CPython, manylinux binary wheels only, no bytecode.

    Dependencies are resolved (no --no-deps): pinned files usually list every package, but a
    missing transitive one is installed rather than failing at import time in Lambda; pip can
    resolve for a foreign platform because --only-binary=:all: is given."""
    return [
        sys.executable, "-m", "pip", "install",
        "--requirement", str(requirements_file),
        "--target", str(Path(target_dir) / LAYER_ROOT),
        "--platform", platform_tag(architecture),
        "--implementation", "cp",
        "--python-version", python_version(runtime),
        "--only-binary=:all:",
        # Lambda cannot write next to read-only /opt, and .pyc files embed build-time details.
        "--no-compile",
        "--disable-pip-version-check", "--no-input", "--quiet",
        *extra_args,
    ]


def build_layer(requirements_file: Path, runtime: str, architecture: str, out_dir: Path,
                extra_pip_args: Sequence[str] = ()) -> Path:
    """The layer zip `out_dir/<layer_hash>.zip` for `requirements_file`, built with pip unless it
    already exists (then returned without running pip).

    The zip is deterministic (see `write_zip`) and appears atomically: it is written under a
    temporary name in `out_dir` and renamed. LayerBuildError if pip fails or installs nothing."""
    out_dir = Path(out_dir)
    target = out_dir / f"{layer_hash(requirements_file, runtime, architecture)}.zip"
    if target.is_file():
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="layer-") as work:
        staging = Path(work)
        command = pip_command(requirements_file, staging, runtime, architecture, extra_pip_args)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-STDERR_TAIL_LINES:])
            raise LayerBuildError(
                f"pip could not install {requirements_file} for {runtime} on {architecture} "
                f"(exit {result.returncode}).\ncommand: {' '.join(command)}\n{tail}")
        entries = layer_entries(staging)
        if not entries:
            raise LayerBuildError(f"{requirements_file} installed nothing: a layer needs at least one package.\n"
                                  f"command: {' '.join(command)}")
        fd, partial = tempfile.mkstemp(dir=out_dir, prefix=f".{target.stem}-", suffix=".partial")
        os.close(fd)
        try:
            write_zip(Path(partial), entries)
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    return target


def layer_entries(staging: Path) -> list[tuple[str, Path]]:
    """(zip path, file) pairs under `staging/python`, sorted, without what would make the zip
    differ between machines or builds:

    - `__pycache__` folders and compiled files;
    - `python/bin/`: console scripts, whose shebang names the build machine's interpreter and
      which nothing on Lambda runs;
    - each `*.dist-info/RECORD`: it lists those scripts with their machine-specific hashes and
      only `pip uninstall` needs it (METADATA, so importlib.metadata versions, stays)."""
    root = staging / LAYER_ROOT
    entries = []
    for path in root.rglob("*") if root.is_dir() else ():
        name = path.relative_to(staging).as_posix()
        parts = name.split("/")
        if not path.is_file() or _SKIPPED_DIRS.intersection(parts) or path.suffix in _SKIPPED_SUFFIXES:
            continue
        if parts[1] == "bin" or (path.name == "RECORD" and parts[-2].endswith(".dist-info")):
            continue
        entries.append((name, path))
    return sorted(entries, key=lambda pair: pair[0])


def write_zip(destination: Path, entries: Sequence[tuple[str, Path]]) -> None:
    """Write `entries` (zip path, file) to `destination` reproducibly: in the given order, no
    folder entries, every timestamp 1980-01-01, mode 0644 (0755 if the file is executable:
    wheels may ship helper binaries), DEFLATE at a fixed level."""
    with zipfile.ZipFile(destination, "w") as archive:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.create_system = 3  # Unix, so Lambda's unzip honours the mode bits
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as source:
                archive.writestr(info, source.read(), compress_type=zipfile.ZIP_DEFLATED,
                                 compresslevel=COMPRESS_LEVEL)
