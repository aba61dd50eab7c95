"""The project has one home, set once per language: tutorwebhooks/__about__.py's OWNER (Python) and lib/env.ts's
DEFAULT_SOURCE_URL (TypeScript: the admin app's Source link). Everything else that names the repository or the
image (the README files, both pyproject.toml, the plugin's defaults) names the same owner."""

from __future__ import annotations

import re

from conftest import REPO

from tutorwebhooks.__about__ import IMAGE, OWNER, REPOSITORY

# Any mention of this project's repository or image, whoever the owner.
HOME_REF = re.compile(r"(?:github\.com|ghcr\.io)/([A-Za-z0-9_.-]+|<[a-z]+>)/openedx-webhooks\b")
FILES = (
    "README.md",
    "openedx/tutor/README.md",
    "openedx/relay/README.md",
    "openedx/tutor/pyproject.toml",
    "openedx/relay/pyproject.toml",
    "lib/env.ts",
    "Dockerfile",
)


def test_typescript_and_python_name_the_same_home() -> None:
    found = re.search(r"DEFAULT_SOURCE_URL = '([^']+)'", (REPO / "lib/env.ts").read_text())
    assert found and found.group(1) == REPOSITORY == f"https://github.com/{OWNER}/openedx-webhooks"
    assert IMAGE == f"ghcr.io/{OWNER}/openedx-webhooks"


def test_every_mention_names_that_owner() -> None:
    seen = {}
    for name in FILES:
        owners = {m.group(1) for m in HOME_REF.finditer((REPO / name).read_text())}
        assert owners <= {OWNER, "<owner>"}, (name, owners)
        seen[name] = owners
    assert OWNER in seen["README.md"] and OWNER in seen["openedx/tutor/README.md"]
    assert IMAGE in (REPO / "README.md").read_text()
    for name in ("openedx/tutor/pyproject.toml", "openedx/relay/pyproject.toml"):
        urls = re.findall(r'^\w+ = "(https://[^"]+)"$', (REPO / name).read_text(), re.M)
        assert urls and all(u.startswith(REPOSITORY) for u in urls), (name, urls)
