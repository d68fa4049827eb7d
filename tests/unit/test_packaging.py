"""What `pip install .` (and the Docker image, which installs the project that way) gets: the runtime
packages under plugins/ and nothing else. The sandboxes (sandbox/) and the dev tooling
(tools/pimflowdev: demo, local stack, sandbox launcher) stay in the repository, runtime code never
imports them, and moto is only in the extras the test commands add (`dev`, and `cluster-test` for
`make test-cluster`)."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = {path.name for path in (ROOT / "plugins").iterdir() if (path / "__init__.py").exists()}
DEV_ONLY = {"sandbox", "pimflowdev", "bench", "tests", "e2e", "tools"}
TEST_EXTRAS = {"dev", "browser", "cluster-test"}  # what `make test`, `make test-browser`, `make test-cluster` add


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel, built from a copy that holds the dev folders too (they must be left out, not just
    absent), without touching the working tree (no build/ or egg-info there)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("plugins", "sandbox", "tools"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                             "build_meta.build_wheel(sys.argv[1])", str(out)],
                            cwd=source, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    [built] = out.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_holds_the_runtime_packages_only(wheel):
    names = wheel.namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert RUNTIME >= {"pimflow", "akeneo", "linnworks", "productsup"}
    assert top - {name for name in top if name.endswith(".dist-info")} == RUNTIME
    assert not [name for name in names if name.split("/", 1)[0] in DEV_ONLY]
    for moved in ("demo", "stack", "sandboxes"):  # dev tooling that lived in pimflow
        assert f"pimflow/{moved}.py" not in names
    assert {"pimflow/cli.py", "pimflow/cluster.py", "pimflow/provider.py"} <= set(names)


def test_no_extra_a_deployment_installs_brings_moto(wheel):
    [metadata] = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    message = Parser().parsestr(wheel.read(metadata).decode())
    extras = set(message.get_all("Provides-Extra"))
    assert {"cluster", "cluster-test"} <= extras
    bringing_moto = set()
    for requirement in map(Requirement, message.get_all("Requires-Dist")):
        if requirement.name == "moto":
            assert requirement.marker is not None, "moto in the dependencies every install gets"
            bringing_moto |= {extra for extra in extras if requirement.marker.evaluate({"extra": extra})}
    # `dev` has it too: the run report's test of S3 staging runs in `make test` (tests/unit/pimflow/report)
    assert "cluster-test" in bringing_moto and bringing_moto <= TEST_EXTRAS


def test_the_command_line_entry_points_are_in_the_wheel(wheel):
    [entry_points] = [name for name in wheel.namelist() if name.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "pimflow = pimflow.cli:main" in text and "sandbox" not in text


def test_runtime_code_never_imports_the_dev_tooling():
    offenders = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {module}" for module in modules
                          if module.split(".")[0] in DEV_ONLY]
    assert not offenders
