"""The real `tutor` command of this virtual environment, on a temporary project root (TUTOR_ROOT) with no plugin
folder of the user's, and the rendered environment read back as YAML, Python and text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

BIN = Path(sys.executable).parent
IMAGES_SCRIPT = """
import json, sys
from tutor import hooks, config as tutor_config
from tutor.commands.images import find_images_to_build
hooks.Actions.CORE_READY.do()
hooks.Actions.PROJECT_ROOT_READY.do(sys.argv[1])
config = tutor_config.load(sys.argv[1])
print(json.dumps({name: [path, tag, list(args)] for name, path, tag, args in find_images_to_build(config, "all")}))
"""


class Project:
    def __init__(self, root: Path, plugins_root: Path) -> None:
        self.root = root
        self.env = {**os.environ, "TUTOR_ROOT": str(root), "TUTOR_PLUGINS_ROOT": str(plugins_root)}

    def tutor(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "tutor"), *args], env=self.env, capture_output=True, text=True, timeout=300, check=False
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
            [sys.executable, "-c", IMAGES_SCRIPT, str(self.root)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])


def _project(tmp: Path) -> Project:
    (tmp / "plugins").mkdir()
    return Project(tmp / "root", tmp / "plugins")


@pytest.fixture(scope="module")
def enabled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A project with the plugin enabled and the environment saved once."""
    project = _project(tmp_path_factory.mktemp("tutor"))
    project.tutor("plugins", "enable", "webhooks")
    project.tutor("config", "save")
    yield project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh project, for tests that change the configuration."""
    return _project(tmp_path)
