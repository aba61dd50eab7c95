"""The service's Dockerfile, as `tutor images build webhooks` builds it: every `COPY --from=source` names something
the `source` context holds, whether that context is a checkout (less what .dockerignore leaves out) or, by default,
a git URL of the release tag (only files tracked by git: a git context has nothing else)."""

from __future__ import annotations

import fnmatch
import re
import subprocess

import pytest
from conftest import REPO

pytestmark = pytest.mark.packages


def source_paths() -> list[str]:
    lines = (REPO / "Dockerfile").read_text().splitlines()
    paths: list[str] = []
    for line in lines:
        found = re.match(r"^COPY --from=source (.+) \S+$", line)
        if found:
            paths.extend(p.lstrip("/") for p in found.group(1).split())
    return paths


def ignored(path: str) -> bool:
    patterns = [
        p.strip()
        for p in (REPO / ".dockerignore").read_text().splitlines()
        if p.strip() and not p.startswith("#") and not p.startswith("!")
    ]
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path.split("/")[0], p) for p in patterns)


def test_every_copy_from_source_is_in_a_checkout_and_in_a_git_context() -> None:
    paths = source_paths()
    assert {"package.json", "package-lock.json", "server.ts", "app", "lib", "drizzle", "scripts"} <= set(paths)
    for path in paths:
        assert (REPO / path).exists(), path
        assert not ignored(path), f"{path} is left out of a checkout's context by .dockerignore"
        tracked = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "--", path], capture_output=True, text=True, check=True
        ).stdout
        assert tracked.strip(), f"{path} is not tracked by git, so a git URL context (the default) lacks it"


def test_the_base_image_is_node_24_on_debian_trixie() -> None:
    found = re.search(r"^ARG NODE_IMAGE=(\S+)$", (REPO / "Dockerfile").read_text(), re.M)
    assert found and found.group(1) == "docker.io/library/node:24-trixie-slim"
