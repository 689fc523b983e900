"""compiler/fast_imports.py: the SDKs imported with postponed annotations and lazy service packages
must give the same plans as Python's own import, and its bytecode cache must behave like Python's.

The plan comparison runs Python's own import in a fresh interpreter (SPEC_COMPILER_PLAIN_IMPORTS=1):
this process has long had the finder installed, through compiler.plan.
"""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compiler import fast_imports
from plan_support import ROOT, SAMPLE, plan_json

# Between them: every service the compiler uses (s3, kinesis, cloudwatch, lambda_, iam, kms, sns,
# apigateway, dynamodb, appautoscaling, route53, acm, wafv2) and pulumi_random.
SPECS = [SAMPLE, "tests/golden/plan_tables_and_secrets/spec.yaml", "tests/golden/plan_two_regions_active_active/spec.yaml",
         "tests/golden/plan_api_surface/spec.yaml"]

PLAIN_PLANS = """
import json, sys
from pathlib import Path
from compiler.plan import plan_file, to_json
print(json.dumps({spec: to_json(plan_file(spec, project_root=Path('.'))) for spec in sys.argv[1:]}))
assert not any(type(f).__name__ == "LazyAnnotationsFinder" for f in sys.meta_path), "the finder was installed"
"""


def _python(code: str, *args: str, plain: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if plain:
        env["SPEC_COMPILER_PLAIN_IMPORTS"] = "1"
    else:
        env.pop("SPEC_COMPILER_PLAIN_IMPORTS", None)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_plans_are_byte_identical_with_pythons_own_import():
    result = _python(PLAIN_PLANS, *SPECS, plain=True)
    assert result.returncode == 0, result.stderr
    plain = json.loads(result.stdout)
    for spec in SPECS:
        assert plan_json(spec) == plain[spec], f"{spec}: the plan differs between fast and plain imports"


def test_this_process_plans_through_the_finder():
    """Otherwise the comparison above would compare plain imports with themselves."""
    assert any(isinstance(finder, fast_imports.LazyAnnotationsFinder) for finder in sys.meta_path)
    import pulumi_aws.s3

    assert isinstance(pulumi_aws.s3.__spec__.loader, fast_imports.LazyPackageLoader)


SERVICE_PACKAGE = """
import sys
from compiler import fast_imports
fast_imports.install()
import pulumi_aws.s3 as s3
loaded = lambda: sorted(m for m in sys.modules if m.startswith("pulumi_aws.s3."))
assert loaded() == [], loaded()                      # the package alone imports none of its modules
from pulumi_aws.s3.bucket_versioning import BucketVersioning
assert s3.BucketVersioning is BucketVersioning       # a class: the module named after it
assert "pulumi_aws.s3.access_point" not in sys.modules
assert s3.BucketVersioningVersioningConfigurationArgs.__module__ == "pulumi_aws.s3._inputs"  # an input type
assert s3.CannedAcl.__module__ == "pulumi_aws.s3._enums"          # an enum
assert s3.outputs.__name__ == "pulumi_aws.s3.outputs"            # a submodule
assert "pulumi_aws.s3.access_point" not in sys.modules
try:
    s3.NoSuchThing
except AttributeError as exc:
    assert "NoSuchThing" in str(exc), exc
else:
    raise AssertionError("an unknown name resolved")
# The unknown name ran the real __init__: the package is now what a normal import gives.
assert "pulumi_aws.s3.access_point" in sys.modules and s3.AccessPoint.__module__ == "pulumi_aws.s3.access_point"
assert "__getattr__" not in vars(s3)
import pulumi_aws.lambda_ as lambda_
names = {}
exec("from pulumi_aws.lambda_ import *", names)        # a star import sees every public name
assert "Function" in names and "EventSourceMapping" in names and "FunctionArgs" in names, sorted(names)[:20]
print("ok")
"""


def test_a_service_package_imports_what_is_asked_for_and_everything_when_it_must():
    result = _python(SERVICE_PACKAGE)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


CORE_PACKAGES = """
import sys
from compiler import fast_imports
fast_imports.install()
import pulumi
for name in ("automation", "dynamic", "policy"):
    assert "__getattr__" in vars(getattr(pulumi, name)), name   # imported by pulumi/__init__.py, not run
assert "pulumi.automation._local_workspace" not in sys.modules
from pulumi.automation._local_workspace import LocalWorkspace
assert pulumi.automation.LocalWorkspace is LocalWorkspace           # first use: the real __init__ runs
assert "__getattr__" not in vars(pulumi.automation)
assert pulumi.dynamic.Resource.__module__ == "pulumi.dynamic.dynamic"
print("ok")
"""


def test_pulumis_automation_dynamic_and_policy_packages_load_on_first_use():
    result = _python(CORE_PACKAGES)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


PLAN_LEAVES_CORE_PACKAGES_ALONE = """
from pathlib import Path
from compiler.plan import plan_file  # installs the finder, then imports pulumi
import pulumi
for spec in %r:
    plan_file(spec, project_root=Path("."))
unused = [name for name in ("automation", "dynamic", "policy") if "__getattr__" in vars(getattr(pulumi, name))]
print(",".join(unused))
"""


def test_a_plan_never_loads_pulumis_automation_dynamic_or_policy_packages():
    """If it did, it would pay for their import again (a fresh interpreter: other tests may load them)."""
    result = _python(PLAN_LEAVES_CORE_PACKAGES_ALONE % (SPECS,))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "automation,dynamic,policy"


@pytest.mark.parametrize("name,module", [("FirehoseDeliveryStream", "firehose_delivery_stream"), ("BucketV2Args", "bucket_v2"),
                                         ("RestApiArgsDict", "rest_api"), ("Function", "function"), ("ApiKey", "api_key")])
def test_class_names_map_to_the_generators_file_names(name, module):
    assert fast_imports._module_for(name) == module


@pytest.fixture()
def sdk(tmp_path, monkeypatch):
    """A package `fakesdk` under tmp_path, imported through a finder for it alone."""
    package = tmp_path / "fakesdk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text(textwrap.dedent("""
        def f(x: NotDefinedAnywhere) -> int:
            return 1
        VALUE = 1
    """))
    finder = fast_imports.LazyAnnotationsFinder(packages=["fakesdk"])
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.meta_path.insert(0, finder)

    def fresh_import():
        for name in [m for m in sys.modules if m.partition(".")[0] == "fakesdk"]:
            del sys.modules[name]
        importlib.invalidate_caches()
        return importlib.import_module("fakesdk.mod")

    yield package, fresh_import
    sys.meta_path.remove(finder)
    for name in [m for m in sys.modules if m.partition(".")[0] == "fakesdk"]:
        del sys.modules[name]


def _cache(package: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(package / "mod.py"), optimization=fast_imports.TAG))


def test_annotations_stay_strings(sdk):
    """Evaluated eagerly, `NotDefinedAnywhere` would raise NameError at import."""
    _, fresh_import = sdk
    module = fresh_import()
    assert module.f.__annotations__ == {"x": "NotDefinedAnywhere", "return": "int"}


def test_the_bytecode_is_cached_and_recompiled_when_the_source_changes(sdk):
    package, fresh_import = sdk
    assert fresh_import().VALUE == 1
    cache = _cache(package)
    assert cache.exists(), "written even under PYTHONDONTWRITEBYTECODE"
    assert not Path(importlib.util.cache_from_source(str(package / "mod.py"))).exists(), "Python's own cache untouched"
    written = cache.read_bytes()
    assert fresh_import().VALUE == 1 and cache.read_bytes() == written  # read back, not rewritten
    source = package / "mod.py"
    stat = source.stat()
    source.write_text(source.read_text().replace("VALUE = 1", "VALUE = 22"))
    os.utime(source, (stat.st_atime, stat.st_mtime))  # same mtime: the size tells the change
    assert fresh_import().VALUE == 22


def test_a_corrupt_cache_is_compiled_again(sdk):
    package, fresh_import = sdk
    fresh_import()
    cache = _cache(package)
    cache.write_bytes(cache.read_bytes()[:20])
    assert fresh_import().VALUE == 1
    assert len(cache.read_bytes()) > 20


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_a_read_only_installation_without_cache_imports_the_normal_way(sdk):
    package, fresh_import = sdk
    (package / "mod.py").write_text("VALUE = 1\n")  # valid under eager annotations too
    package.chmod(0o555)
    try:
        module = fresh_import()
        assert module.__spec__.loader.__class__ is importlib.machinery.SourceFileLoader
    finally:
        package.chmod(0o755)


def test_without_write_access_and_without_cache_the_normal_loader_is_chosen(sdk, monkeypatch):
    """As the test above, for a root user (who may write anywhere): os.access decides."""
    package, fresh_import = sdk
    (package / "mod.py").write_text("VALUE = 1\n")  # valid under eager annotations too
    monkeypatch.setattr(fast_imports.os, "access", lambda path, mode: False)
    module = fresh_import()
    assert type(module.__spec__.loader) is importlib.machinery.SourceFileLoader
    assert not _cache(package).exists()
