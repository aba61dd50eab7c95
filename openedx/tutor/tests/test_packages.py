"""The two Python release artifacts as they ship: sdist and wheel from `python -m build`, clean for `twine check`, built
with every setuptools a supported Tutor release uses, and working once installed (not editable) in a fresh venv.

Tutor's Ulmo branch (overhangio/tutor `release`, tutor/templates/build/openedx/Dockerfile lines 17-25) builds every
source package of the openedx image under `setuptools==69.1.1` (UV_BUILD_CONSTRAINT and PIP_CONSTRAINT); Verawood
(`verawood`) pins no build-time setuptools, so the newest is used.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import HERE, REPO, TOOLS, build, fresh_venv, run

from tutorwebhooks.__about__ import __version__

pytestmark = pytest.mark.packages

RELAY = REPO / "openedx" / "relay"
ULMO_SETUPTOOLS = "69.1.1"


def generator(wheel: Path) -> str:
    """What wrote a wheel (its WHEEL file's Generator line): "setuptools (<version>)" from setuptools 70.1 on,
    "bdist_wheel (<wheel's version>)" before (the `wheel` package's command)."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/WHEEL"))
        found = re.search(r"^Generator: (.+)$", zf.read(name).decode(), re.M)
    assert found, wheel.name
    return found.group(1)


def sdist_metadata_version(sdist: Path) -> str:
    with tarfile.open(sdist) as tf:
        member = next(m for m in tf.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
        text = tf.extractfile(member).read().decode()  # type: ignore[union-attr]
    found = re.search(r"^Metadata-Version: (.+)$", text, re.M)
    assert found
    return found.group(1)


def twine_check(*dists: Path) -> None:
    out = run(TOOLS / "twine", "check", "--strict", *dists)
    assert out.count("PASSED") == len(dists), out


def metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()


@pytest.fixture(scope="module")
def ulmo_constraints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ulmo") / "openedx-build-constraints.txt"
    path.write_text(f"setuptools=={ULMO_SETUPTOOLS}\n")  # as Tutor's Ulmo openedx Dockerfile writes it
    return path


@pytest.fixture(scope="module")
def relay_ulmo(tmp_path_factory: pytest.TempPathFactory, ulmo_constraints: Path) -> tuple[Path, Path]:
    return build(RELAY, tmp_path_factory.mktemp("relay-ulmo"), env={"PIP_CONSTRAINT": str(ulmo_constraints)})


def test_relay_builds_with_tutor_ulmos_setuptools(relay_ulmo: tuple[Path, Path]) -> None:
    sdist, wheel = relay_ulmo
    # setuptools 69 writes core metadata 2.1 and leaves the wheel to the `wheel` package; the newest, 2.4 and its own.
    assert generator(wheel).startswith("bdist_wheel (")
    assert sdist_metadata_version(sdist) == "2.1"
    assert wheel.name.startswith("openedx_webhooks_relay-") and wheel.name.endswith("-py3-none-any.whl")
    twine_check(sdist, wheel)
    meta = metadata(wheel)
    assert "License: AGPL-3.0-only" in meta
    assert "Requires-Python: >=3.11" in meta


def test_relay_builds_with_the_newest_setuptools(tmp_path: Path) -> None:
    sdist, wheel = build(RELAY, tmp_path)
    found = re.fullmatch(r"setuptools \((\d+)\.(\d+).*\)", generator(wheel))
    assert found and (int(found.group(1)), int(found.group(2))) >= (77, 0), generator(wheel)  # newer than Ulmo's
    twine_check(sdist, wheel)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "openedx_webhooks_relay/settings/common.py" in names
    assert all(n.startswith("openedx_webhooks_relay") for n in names), "the wheel carries only the package"


def test_relay_sdist_installs_as_tutor_ulmos_openedx_image_does(
    relay_ulmo: tuple[Path, Path], ulmo_constraints: Path, tmp_path: Path
) -> None:
    # `uv pip install <sdist>` with UV_BUILD_CONSTRAINT, as the openedx-dockerfile-post-python-requirements patch
    # runs it from WEBHOOKS_RELAY_SOURCE on Ulmo (the source build cannot pick a newer setuptools).
    venv = fresh_venv(tmp_path / "venv")
    run(
        TOOLS / "uv",
        "pip",
        "install",
        "--no-deps",
        "--python",
        venv / "python",
        relay_ulmo[0],
        env={**os.environ, "UV_BUILD_CONSTRAINT": str(ulmo_constraints)},
    )
    dist = run(venv / "python", "-c", "import importlib.metadata as m; print(m.version('openedx-webhooks-relay'))")
    assert dist.strip() == relay_version()


def relay_version() -> str:
    found = re.search(r'^__version__ = "(.+)"$', (RELAY / "openedx_webhooks_relay/__init__.py").read_text(), re.M)
    assert found
    return found.group(1)


def test_relay_wheel_works_in_a_fresh_venv(relay_ulmo: tuple[Path, Path], tmp_path: Path) -> None:
    # With its dependencies at Ulmo's versions (openedx/relay/requirements/ulmo.txt); not editable.
    venv = fresh_venv(tmp_path / "venv", relay_ulmo[1], constraints=RELAY / "requirements" / "ulmo.txt")
    out = run(
        venv / "python",
        "-c",
        "import json, importlib.metadata as m, openedx_webhooks_relay as r, openedx_webhooks_relay.apps;"
        "from openedx_webhooks_relay.settings.common import DEFAULTS;"
        "eps = {g: [e.value for e in m.entry_points(group=g)] for g in ('lms.djangoapp', 'cms.djangoapp')};"
        "print(json.dumps([r.__file__, r.__version__, eps, sorted(DEFAULTS)]))",
        cwd=tmp_path,
    )
    path, version, entry_points, settings = json.loads(out.strip().splitlines()[-1])
    assert path.startswith(str(venv.parent)) and str(REPO) not in path
    assert version == relay_version()
    app = "openedx_webhooks_relay.apps:WebhooksRelayConfig"
    assert entry_points == {"lms.djangoapp": [app], "cms.djangoapp": [app]}
    assert "OPENEDX_WEBHOOKS_URL" in settings


def test_plugin_sdist_and_wheel(plugin_dists: tuple[Path, Path]) -> None:
    sdist, wheel = plugin_dists
    assert wheel.name == f"tutor_contrib_webhooks-{__version__}-py3-none-any.whl"
    twine_check(sdist, wheel)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    patches = sorted(p.name for p in (HERE / "tutorwebhooks" / "patches").iterdir() if p.is_file())
    assert sorted(n.split("/")[-1] for n in names if n.startswith("tutorwebhooks/patches/")) == patches
    assert "tutorwebhooks/templates/webhooks/build/webhooks/Dockerfile" in names
    assert not any(n.startswith("tests/") for n in names)
    meta = metadata(wheel)
    assert "License: AGPL-3.0-only" in meta
    assert re.search(r"^Requires-Dist: tutor<23(\.0\.0)?,>=21\.0\.0$", meta, re.M), meta


def test_one_version_for_the_service_and_the_plugin() -> None:
    # The plugin's defaults name the image and the relay of its own version: a release tags all three alike
    # (.github/workflows/release.yml checks the tag against each).
    assert json.loads((REPO / "package.json").read_text())["version"] == __version__
