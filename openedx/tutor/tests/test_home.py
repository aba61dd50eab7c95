"""The project has one home, set once per language: tutorwebhooks/__about__.py's OWNER (Python) and lib/env.ts's
DEFAULT_SOURCE_URL (TypeScript: the admin app's Source link). Every tracked file that names the repository or the
image (the README files, both pyproject.toml, the Dockerfile, the plugin's defaults) names the same owner."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO

from tutorwebhooks.__about__ import IMAGE, OWNER, REPOSITORY

# Any mention of this project's repository or image, whoever the owner.
HOME_REF = re.compile(r"(?:github\.com|ghcr\.io)/([A-Za-z0-9_.-]+|<[a-z]+>)/openedx-webhooks\b")


def test_typescript_and_python_name_the_same_home() -> None:
    found = re.search(r"DEFAULT_SOURCE_URL = '([^']+)'", (REPO / "lib/env.ts").read_text())
    assert found and found.group(1) == REPOSITORY == f"https://github.com/{OWNER}/openedx-webhooks"
    assert IMAGE == f"ghcr.io/{OWNER}/openedx-webhooks"


def mentions() -> dict[str, set[str]]:
    """Owner names in each tracked file that mentions this project's repository or image (git grep)."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "grep", "-I", "-n", "-E", HOME_REF.pattern.replace("(?:", "(")],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found: dict[str, set[str]] = {}
    for line in out.splitlines():
        name, _, text = line.partition(":")
        found.setdefault(name, set()).update(m.group(1) for m in HOME_REF.finditer(text))
    return found


def test_every_mention_names_that_owner() -> None:
    found = mentions()
    for name in ("README.md", "openedx/tutor/README.md", "lib/env.ts", "Dockerfile"):
        assert name in found, f"{name} no longer names the project's home"
    for name, owners in found.items():
        assert owners <= {OWNER, "<owner>"}, (name, owners)
    assert IMAGE in (REPO / "README.md").read_text()
    for name in ("openedx/tutor/pyproject.toml", "openedx/relay/pyproject.toml"):
        urls = re.findall(r'^\w+ = "(https://[^"]+)"$', (REPO / name).read_text(), re.M)
        assert urls and all(u.startswith(REPOSITORY) for u in urls), (name, urls)
