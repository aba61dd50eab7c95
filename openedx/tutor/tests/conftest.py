"""The plugin as operators get it: built into an sdist and a wheel (`python -m build`), the wheel installed with the
real Tutor of this run's major into a fresh virtual environment (never the checkout), and that `tutor` run on a
temporary project root (TUTOR_ROOT) with no plugin folder of the user's; the rendered environment read back as
YAML, Python and text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parents[1]  # openedx/tutor
REPO = HERE.parents[1]
TOOLS = Path(sys.executable).parent  # this venv's build, twine, uv and actionlint
IMAGES_SCRIPT = """
import json, sys
from tutor import hooks, config as tutor_config
from tutor.commands.images import find_images_to_build
hooks.Actions.CORE_READY.do()
hooks.Actions.PROJECT_ROOT_READY.do(sys.argv[1])
config = tutor_config.load(sys.argv[1])
print(json.dumps({name: [path, tag, list(args)] for name, path, tag, args in find_images_to_build(config, "all")}))
"""


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 600) -> str:
    result = subprocess.run(
        [str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _not_source(top: Path):
    """Left out of the copy a package is built from: what a clean checkout does not have (venvs, caches, build
    output; `build` and `dist` at the top only: templates/webhooks/build is the plugin's)."""
    anywhere = shutil.ignore_patterns(".venv*", "*.egg-info", "__pycache__", ".ruff_cache", ".pytest_cache")

    def ignore(folder: str, names: list[str]) -> set[str]:
        top_only = {"build", "dist"} if Path(folder) == top else set()
        return set(anywhere(folder, names)) | (top_only & set(names))

    return ignore


def build(source: Path, out: Path, env: dict[str, str] | None = None) -> tuple[Path, Path]:
    """`python -m build` (an sdist, then the wheel from it, each in an isolated build environment) of a copy of
    `source` without venvs, caches or earlier build output, so the package's own folder is left as it was:
    (sdist, wheel)."""
    copy = out / "src" / source.name
    shutil.copytree(source, copy, ignore=_not_source(source))
    run(sys.executable, "-m", "build", "--outdir", out, copy, env={**os.environ, **(env or {})})
    sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    assert len(sdists) == len(wheels) == 1, list(out.iterdir())
    return sdists[0], wheels[0]


def fresh_venv(path: Path, *requirements: str | Path, constraints: Path | None = None) -> Path:
    """A new virtual environment with only `requirements` (uv, from the package index); its bin folder."""
    run(TOOLS / "uv", "venv", "--quiet", "--python", sys.executable, path)
    if requirements:
        extra = ["-c", constraints] if constraints else []
        run(TOOLS / "uv", "pip", "install", "--quiet", "--python", path / "bin" / "python", *extra, *requirements)
    return path / "bin"


def tutor_major() -> str:
    from importlib.metadata import version

    return version("tutor").split(".")[0]


@pytest.fixture(scope="session")
def plugin_dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The plugin's sdist and wheel, built from openedx/tutor."""
    return build(HERE, tmp_path_factory.mktemp("plugin-dist"))


@pytest.fixture(scope="session")
def tutor_bin(plugin_dists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the plugin's wheel and this major's Tutor (requirements/tutor-<major>.txt)."""
    constraints = HERE / "requirements" / f"tutor-{tutor_major()}.txt"
    return fresh_venv(tmp_path_factory.mktemp("venv") / "tutor", plugin_dists[1], constraints=constraints)


class Project:
    def __init__(self, bin_dir: Path, root: Path, plugins_root: Path) -> None:
        self.bin = bin_dir
        self.root = root
        self.env = {**os.environ, "TUTOR_ROOT": str(root), "TUTOR_PLUGINS_ROOT": str(plugins_root)}

    def tutor(self, *args: str) -> str:
        result = subprocess.run(
            [str(self.bin / "tutor"), *args],
            env=self.env,
            cwd=self.root.parent,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"tutor {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def value(self, name: str) -> str:
        return self.tutor("config", "printvalue", name).strip()

    def config(self) -> dict[str, Any]:
        return yaml.safe_load((self.root / "config.yml").read_text())

    def text(self, relative: str) -> str:
        return (self.root / "env" / relative).read_text()

    def compose(self) -> dict[str, Any]:
        return yaml.safe_load(self.text("local/docker-compose.yml"))

    def k8s(self, name: str) -> list[dict[str, Any]]:
        return [doc for doc in yaml.safe_load_all(self.text(f"k8s/{name}.yml")) if doc]

    def images(self) -> dict[str, list[Any]]:
        """What `tutor images build all` would build: name → [context path, tag, docker build arguments]."""
        result = subprocess.run(
            [str(self.bin / "python"), "-c", IMAGES_SCRIPT, str(self.root)],
            env=self.env,
            cwd=self.root.parent,  # not this checkout: `python -c` would import its tutorwebhooks
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])

    def python(self, script: str, *args: str) -> str:
        return run(self.bin / "python", "-c", script, *args, env=self.env, cwd=self.root.parent)


def _project(bin_dir: Path, tmp: Path) -> Project:
    (tmp / "plugins").mkdir()
    return Project(bin_dir, tmp / "root", tmp / "plugins")


@pytest.fixture(scope="module")
def enabled(tutor_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A project with the plugin enabled and the environment saved once."""
    project = _project(tutor_bin, tmp_path_factory.mktemp("tutor"))
    project.tutor("plugins", "enable", "webhooks")
    project.tutor("config", "save")
    yield project


@pytest.fixture
def project(tutor_bin: Path, tmp_path: Path) -> Project:
    """A fresh project, for tests that change the configuration."""
    return _project(tutor_bin, tmp_path)
