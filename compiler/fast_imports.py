"""Import the Pulumi SDKs faster, for `plan`: the provider SDKs with postponed annotations (PEP 563),
and packages that load only the modules a program uses.

Postponed annotations. pulumi-aws defines thousands of classes per service module, and every one
of their signatures and TypedDict fields is a `typing` expression (`Optional[pulumi.Input[str]]`,
...) that Python 3.11 evaluates when the class is defined. That evaluation was about a third of a `plan`'s whole run,
and almost none of those classes is ever used. Compiled with the `annotations` future flag the
annotations stay strings; the Pulumi SDK resolves the few it needs, for the classes a program
actually uses, with `typing.get_type_hints` and the class's module globals
(pulumi/_types.py: `_raw_return_hints`, `_types_from_annotations`), which is how it reads SDKs
written with `from __future__ import annotations`. Python 3.14 (PEP 649) makes this the default.

The bytecode compiled this way is cached beside Python's own, under `__pycache__`, with its own
optimization tag (`*.opt-lazyannotations.pyc`, the naming `importlib.util.cache_from_source`
gives `-O` bytecode), and validated like Python's by the source's mtime and size. It is written
even under PYTHONDONTWRITEBYTECODE, which governs Python's own cache: this is a cache of installed
packages, as pip's install-time compile is. Where it can be neither read nor written (a read-only
installation), the module is imported the normal way: never slower than without this finder.

Lazy service packages. `pulumi_aws/s3/__init__.py` star-imports all of its ~80 resource modules;
a program uses a few. A service package (`pulumi_aws.<service>`) is therefore created without
running its `__init__.py`, and a module `__getattr__` (PEP 562) imports what is asked for: the
module named after the class (`BucketVersioning` is in `bucket_versioning.py`, the SDK generator's
convention), else `_inputs` for `...Args`, else `_enums`. Anything else (a name outside the
convention, `__all__`, a star import) runs the real `__init__.py` in the package, after which the
package is exactly what a normal import gives; until then `dir()` lists only what was loaded.

The Pulumi SDK's own `automation`, `dynamic` and `policy` packages, which `pulumi/__init__.py`
imports and a plan never uses, are lazy packages too (compiled as usual); the first use of any of
their names runs their real `__init__.py`.

`tests/test_fast_imports.py` checks that plans are byte-identical with and without this module.
"""
from __future__ import annotations

import __future__
import importlib.machinery
import importlib.util
import marshal
import os
import re
import sys
from typing import Optional, Sequence

PACKAGES = ("pulumi_aws", "pulumi_random")
# `from . import runtime, dynamic, policy, automation` in pulumi/__init__.py: the Automation API
# (workspaces, a YAML and semver stack), dynamic providers (dill) and policy packs; about 80 ms.
LAZY_CORE_PACKAGES = ("pulumi.automation", "pulumi.dynamic", "pulumi.policy")
TAG = "lazyannotations"
_FLAGS = __future__.annotations.compiler_flag
# A timestamp-based .pyc header (PEP 552): magic, flags (0 = validate by mtime and size), mtime, size.
_HEADER_SIZE = 16


def _header(stat: os.stat_result) -> bytes:
    return (importlib.util.MAGIC_NUMBER + (0).to_bytes(4, "little")
            + (int(stat.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little") + (stat.st_size & 0xFFFFFFFF).to_bytes(4, "little"))


class LazyAnnotationsLoader(importlib.machinery.SourceFileLoader):
    """A source loader whose code objects are compiled with `from __future__ import annotations`."""

    def get_code(self, fullname: str):
        source_path = self.get_filename(fullname)
        cache_path = importlib.util.cache_from_source(source_path, optimization=TAG)
        header = _header(os.stat(source_path))
        try:
            with open(cache_path, "rb") as cached:
                data = cached.read()
            if data[:_HEADER_SIZE] == header:
                return marshal.loads(memoryview(data)[_HEADER_SIZE:])
        except (OSError, ValueError, EOFError, TypeError):
            pass  # missing, unreadable or corrupt: compile again
        code = compile(self.get_data(source_path), source_path, "exec", flags=_FLAGS, dont_inherit=True)
        _write_atomically(cache_path, header + marshal.dumps(code))
        return code


def _write_atomically(path: str, data: bytes) -> None:
    """Write to a temporary name, then rename: a concurrent reader sees the old file or the new one."""
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


class _LazyPackage:
    """A package whose members are imported when first asked for (see the module docstring)."""

    def exec_module(self, module) -> None:
        module.__dict__["__getattr__"] = lambda name: _package_attribute(module, name)

    def load_everything(self, module) -> None:
        """What a normal import runs: the package's own `__init__.py`."""
        module.__dict__.pop("__getattr__", None)
        exec(self.get_code(module.__name__), module.__dict__)


class LazyPackageLoader(_LazyPackage, LazyAnnotationsLoader):
    """A pulumi-aws service package."""


class LazyCorePackageLoader(_LazyPackage, importlib.machinery.SourceFileLoader):
    """A subpackage of the Pulumi SDK that `pulumi/__init__.py` imports and a plan never uses,
    compiled as Python compiles it."""


def _module_for(name: str) -> str:
    """The generator's file name for a class or function: `FirehoseDeliveryStream` ->
    `firehose_delivery_stream`, `BucketV2Args` -> `bucket_v2`."""
    stem = re.sub(r"Args(Dict)?$", "", name)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


def _package_attribute(package, name: str):
    if not name.startswith("__"):
        folder = os.path.dirname(package.__file__)
        candidates = [_module_for(name), "_inputs", "_enums"]
        for candidate in dict.fromkeys(candidates):
            if not os.path.exists(os.path.join(folder, candidate + ".py")):
                continue
            submodule = importlib.import_module(f"{package.__name__}.{candidate}")
            if name == candidate:
                return submodule
            exported = getattr(submodule, "__all__", ())
            if name in exported:
                value = getattr(submodule, name)
                setattr(package, name, value)
                return value
    loader = package.__spec__.loader
    if isinstance(loader, _LazyPackage) and "__getattr__" in package.__dict__:
        loader.load_everything(package)
        if name in package.__dict__:
            return package.__dict__[name]
    raise AttributeError(f"module {package.__name__!r} has no attribute {name!r}")


def _is_service_package(fullname: str, spec) -> bool:
    """`pulumi_aws.<service>`, a package; not the root (its own __init__ is already lazy) nor
    `config` (module-level properties read on access)."""
    parts = fullname.split(".")
    return (len(parts) == 2 and parts[0] == "pulumi_aws" and parts[1] != "config"
            and spec.submodule_search_locations is not None)


class LazyAnnotationsFinder:
    """A meta-path finder for the modules of `packages`: the normal path-based spec, with our
    loader when its cache is there or can be written."""

    def __init__(self, packages: Sequence[str] = PACKAGES, lazy_core_packages: Sequence[str] = LAZY_CORE_PACKAGES):
        self.packages = frozenset(packages)
        self.lazy_core_packages = frozenset(lazy_core_packages)
        self._writable: dict[str, bool] = {}

    def find_spec(self, fullname: str, path: Optional[Sequence[str]], target=None):
        if fullname in self.lazy_core_packages:
            return self._lazy_core_spec(fullname, path)
        if fullname.partition(".")[0] not in self.packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader or not spec.origin:
            return spec
        cache_path = importlib.util.cache_from_source(spec.origin, optimization=TAG)
        if self._can_write(os.path.dirname(cache_path)) or os.path.exists(cache_path):
            loader_class = LazyPackageLoader if _is_service_package(fullname, spec) else LazyAnnotationsLoader
            spec.loader = loader_class(fullname, spec.origin)
            spec.cached = cache_path
        return spec

    @staticmethod
    def _lazy_core_spec(fullname: str, path: Optional[Sequence[str]]):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader and spec.submodule_search_locations is not None:
            spec.loader = LazyCorePackageLoader(fullname, spec.origin)
        return spec

    def _can_write(self, cache_dir: str) -> bool:
        if cache_dir not in self._writable:
            existing = cache_dir if os.path.isdir(cache_dir) else os.path.dirname(cache_dir)
            self._writable[cache_dir] = os.access(existing, os.W_OK)
        return self._writable[cache_dir]

    def invalidate_caches(self) -> None:
        self._writable.clear()


def install() -> None:
    """Put the finder first on sys.meta_path (once), unless SPEC_COMPILER_PLAIN_IMPORTS=1 asks for
    Python's own import (an escape hatch, and what the tests compare plans against). Modules
    imported before keep their code."""
    if os.environ.get("SPEC_COMPILER_PLAIN_IMPORTS") == "1":
        return
    if not any(isinstance(finder, LazyAnnotationsFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, LazyAnnotationsFinder())

