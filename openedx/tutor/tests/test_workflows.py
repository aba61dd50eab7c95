"""The GitHub workflows: `actionlint` (with shellcheck over their scripts) passes, CI runs .ci/run, and a version tag
publishes what the plugin's defaults name: both Python packages through PyPI trusted publishing, and a multi-arch image
to ghcr.io."""

from __future__ import annotations

import os
from typing import Any

import pytest
import yaml
from conftest import REPO, TOOLS, run

pytestmark = pytest.mark.packages

WORKFLOWS = REPO / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job["steps"]


def test_actionlint_passes() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "release.yml"]
    env = {**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ.get('PATH', '')}"}
    assert (TOOLS / "shellcheck").exists()
    run(TOOLS / "actionlint", "-no-color", *files, env=env, cwd=REPO)


def test_ci_runs_ci_run() -> None:
    ci = workflow("ci.yml")
    assert "pull_request" in ci["on"] and ci["on"]["push"]["branches"] == ["main"]
    (job,) = ci["jobs"].values()
    assert steps(job)[-1]["run"] == "bash .ci/run"


def test_a_version_tag_publishes_both_packages_and_the_image() -> None:
    release = workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+*"]}}
    assert release["permissions"] == {"contents": "read"}
    jobs = release["jobs"]
    build = "\n".join(s.get("run", "") for s in steps(jobs["python"]))
    for package in ("openedx/relay", "openedx/tutor"):
        assert f"python -m build --outdir dist {package}" in build
    assert "twine check --strict dist/*" in build
    # Trusted publishing: an OIDC token for this job only, no stored PyPI token; after the image it names exists.
    pypi = jobs["pypi"]
    assert pypi["permissions"] == {"id-token": "write"}
    assert pypi["environment"]["name"] == "pypi"
    assert set(pypi["needs"]) == {"python", "image"}
    publish = steps(pypi)[-1]
    assert publish["uses"].startswith("pypa/gh-action-pypi-publish@") and "password" not in publish.get("with", {})
    image = jobs["image"]
    assert image["permissions"]["packages"] == "write"
    push = next(s for s in steps(image) if s.get("uses", "").startswith("docker/build-push-action@"))
    assert push["with"]["platforms"] == "linux/amd64,linux/arm64" and push["with"]["push"] is True
    login = next(s for s in steps(image) if s.get("uses", "").startswith("docker/login-action@"))
    assert login["with"]["registry"] == "ghcr.io"
    meta = next(s for s in steps(image) if s.get("uses", "").startswith("docker/metadata-action@"))
    assert meta["with"]["images"] == "${{ needs.check.outputs.image }}"
    assert "type=semver,pattern={{version}}" in meta["with"]["tags"]  # the tag the plugin's default names
    # The check job refuses a tag that differs from any version, or an owner that is not the plugin's image home.
    check = steps(jobs["check"])[-1]["run"]
    for what in ("package.json", "openedx/relay/openedx_webhooks_relay/__init__.py", "__about__.py", 'about["IMAGE"]'):
        assert what in check
    assert jobs["python"]["needs"] == jobs["image"]["needs"] == "check"
