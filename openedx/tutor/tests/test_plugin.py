"""`tutor plugins enable webhooks` + `tutor config save` with the real Tutor: the service in docker compose and in
Kubernetes, its host in Caddy, the relay built into the openedx image and set up for the LMS and Studio with the
key the service gets, secrets generated once, and nothing left once the plugin is disabled."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from conftest import Project

REPO = Path(__file__).resolve().parents[3]
SETTINGS_FILES = [
    f"apps/openedx/settings/{v}/{kind}.py" for v in ("lms", "cms") for kind in ("production", "development")
]
RELAY_BLOCK = re.compile(
    r"^# Open edX Webhooks relay \(tutor-contrib-webhooks\).*?^# End of Open edX Webhooks relay settings\.$",
    re.M | re.S,
)


def relay_settings(source: str) -> dict[str, Any]:
    """The relay's block of a settings file, executed on its own (the rest imports edx-platform)."""
    blocks = RELAY_BLOCK.findall(source)
    assert len(blocks) == 1, "the relay's settings block should appear once"
    namespace: dict[str, Any] = {}
    exec(compile(blocks[0], "relay-settings", "exec"), namespace)
    return {k: v for k, v in namespace.items() if k.startswith("OPENEDX_WEBHOOKS_")}


def deployment_env(project: Project) -> dict[str, str]:
    deployment = next(
        d for d in project.k8s("deployments") if d["kind"] == "Deployment" and d["metadata"]["name"] == "webhooks"
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e["value"] for e in container["env"]}


def test_compose_runs_the_service_with_its_volume_and_generated_secrets(enabled: Project) -> None:
    compose = enabled.compose()
    service = compose["services"]["webhooks"]
    assert service["image"] == enabled.value("WEBHOOKS_DOCKER_IMAGE") == "docker.io/openedx-webhooks:1.0.0"
    assert service["volumes"] == ["../../data/webhooks:/data:z"]
    env = service["environment"]
    assert env["DATA_DIR"] == "/data" and env["PORT"] == "3000"
    assert env["INITIAL_API_KEY"] == enabled.config()["WEBHOOKS_RELAY_API_KEY"]
    assert len(env["INITIAL_API_KEY"]) >= 20  # the service refuses shorter keys
    assert len(env["AUTH_SECRET"]) >= 32
    assert env["ADMIN_EMAIL"] == f"contact@{enabled.value('LMS_HOST')}"
    assert len(env["ADMIN_PASSWORD"]) >= 8
    assert "DATABASE_URL" not in env  # the embedded database, in the volume
    # The data folder is made the service user's (uid 1000) like Tutor's own, and the LMS and Studio wait for it.
    assert "../../data/webhooks:/mounts/webhooks:z" in compose["services"]["permissions"]["volumes"]
    assert "setowner 1000 /mounts/webhooks" in enabled.text("apps/permissions/setowners.sh")
    assert service["depends_on"] == {"permissions": {"condition": "service_completed_successfully"}}
    for variant in ("lms", "cms"):
        assert "webhooks" in compose["services"][variant]["depends_on"]


def test_lms_and_studio_settings_configure_the_relay_with_the_service_key(enabled: Project) -> None:
    key = enabled.compose()["services"]["webhooks"]["environment"]["INITIAL_API_KEY"]
    for name in SETTINGS_FILES:
        source = enabled.text(name)
        compile(source, name, "exec")  # the whole file is valid Python
        assert relay_settings(source) == {
            "OPENEDX_WEBHOOKS_ENABLED": True,
            "OPENEDX_WEBHOOKS_URL": "http://webhooks:3000",
            "OPENEDX_WEBHOOKS_API_KEY": key,
            "OPENEDX_WEBHOOKS_TIMEOUT": 6,
            "OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN": True,
        }, name


def test_the_settings_are_the_relays_own_with_its_types(enabled: Project) -> None:
    # The relay's settings module, loaded from its source (its package imports Django; this file does not).
    spec = importlib.util.spec_from_file_location(
        "relay_settings", REPO / "openedx/relay/openedx_webhooks_relay/settings/common.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ours = relay_settings(enabled.text("apps/openedx/settings/lms/production.py"))
    for name, value in ours.items():
        assert name in module.DEFAULTS, f"{name} is not a setting of the relay"
        assert type(value) is type(module.DEFAULTS[name]), name


def test_caddy_serves_the_public_host(enabled: Project) -> None:
    caddyfile = enabled.text("apps/caddy/Caddyfile")
    host = enabled.value("WEBHOOKS_HOST")
    assert host == f"webhooks.{enabled.value('LMS_HOST')}"
    site = re.search(re.escape(host) + r"\{\$default_site_port\} \{(.*?)\n\}", caddyfile, re.S)
    assert site, caddyfile
    assert 'import proxy "webhooks:3000"' in site.group(1)
    assert "\n(proxy) {" in caddyfile  # the snippet the site imports


def test_kubernetes_manifests_have_the_deployment_service_and_volume_claim(enabled: Project) -> None:
    env = deployment_env(enabled)
    assert env["INITIAL_API_KEY"] == enabled.config()["WEBHOOKS_RELAY_API_KEY"]
    assert env["DATA_DIR"] == "/data" and "DATABASE_URL" not in env
    deployment = next(d for d in enabled.k8s("deployments") if d["metadata"]["name"] == "webhooks")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == "docker.io/openedx-webhooks:1.0.0"
    assert pod["containers"][0]["volumeMounts"] == [{"mountPath": "/data", "name": "data"}]
    assert pod["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "webhooks"}}]
    assert pod["securityContext"]["runAsUser"] == 1000  # the image's node user
    assert pod["containers"][0]["readinessProbe"]["httpGet"] == {"path": "/api/health", "port": 3000}
    service = next(s for s in enabled.k8s("services") if s["metadata"]["name"] == "webhooks")
    assert service["kind"] == "Service" and service["spec"]["ports"][0]["port"] == 3000
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    claim = next(v for v in enabled.k8s("volumes") if v["metadata"]["name"] == "webhooks")
    assert claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"


def test_images_build_this_repository_and_put_the_relay_in_openedx(enabled: Project) -> None:
    # The service's build context holds the repository's own Dockerfile, rendered unchanged.
    rendered = enabled.text("plugins/webhooks/build/webhooks/Dockerfile")
    assert rendered.rstrip("\n") == (REPO / "Dockerfile").read_text().rstrip("\n")
    images = enabled.images()
    path, tag, args = images["webhooks"]
    assert (path, tag) == ("plugins/webhooks/build/webhooks", "docker.io/openedx-webhooks:1.0.0")
    assert args == [f"--build-context=source={REPO}"]  # the checkout replaces the Dockerfile's `source` stage
    assert "FROM scratch AS source" in rendered
    for name in ("openedx", "openedx-dev"):
        assert f"--build-context=webhooks-relay={REPO / 'openedx' / 'relay'}" in images[name][2]
    openedx = enabled.text("build/openedx/Dockerfile")
    assert "--mount=type=bind,from=webhooks-relay,target=/tmp/openedx-webhooks-relay,rw" in openedx
    assert "$PIP_COMMAND install /tmp/openedx-webhooks-relay" in openedx
    assert enabled.tutor("images", "printtag", "webhooks").strip() == "docker.io/openedx-webhooks:1.0.0"


def test_admin_command_prints_the_first_admin(enabled: Project) -> None:
    out = enabled.tutor("webhooks", "admin")
    assert f"http://webhooks.{enabled.value('LMS_HOST')}" in out
    assert enabled.config()["WEBHOOKS_ADMIN_PASSWORD"] in out


def test_secrets_stay_the_same_across_saves(project: Project) -> None:
    project.tutor("plugins", "enable", "webhooks")
    project.tutor("config", "save")
    names = ("WEBHOOKS_RELAY_API_KEY", "WEBHOOKS_AUTH_SECRET", "WEBHOOKS_ADMIN_PASSWORD")
    first = {n: project.config()[n] for n in names}
    assert len(set(first.values())) == 3
    project.tutor("config", "save")
    assert {n: project.config()[n] for n in names} == first
    assert (
        project.compose()["services"]["webhooks"]["environment"]["INITIAL_API_KEY"] == first["WEBHOOKS_RELAY_API_KEY"]
    )


def test_external_database_and_relay_from_pypi(project: Project) -> None:
    project.tutor("plugins", "enable", "webhooks")
    url = "postgres://webhooks:s3cr%40t@db.example.org:5432/webhooks"
    project.tutor(
        "config",
        "save",
        "--set",
        f"WEBHOOKS_DATABASE_URL={url}",
        "--set",
        "WEBHOOKS_RELAY_SOURCE=",
        "--set",
        "WEBHOOKS_RELAY_PIP_REQUIREMENT=openedx-webhooks-relay==1.0.0",
        "--set",
        "WEBHOOKS_RELAY_ENABLED=false",
    )
    assert relay_settings(project.text("apps/openedx/settings/cms/production.py"))["OPENEDX_WEBHOOKS_ENABLED"] is False
    assert project.compose()["services"]["webhooks"]["environment"]["DATABASE_URL"] == url
    assert deployment_env(project)["DATABASE_URL"] == url
    openedx = project.text("build/openedx/Dockerfile")
    assert "$PIP_COMMAND install 'openedx-webhooks-relay==1.0.0'" in openedx
    assert "webhooks-relay,target" not in openedx
    images = project.images()
    assert not any("webhooks-relay" in a for a in images["openedx"][2])


def test_disabling_removes_everything(project: Project) -> None:
    project.tutor("plugins", "enable", "webhooks")
    project.tutor("config", "save")
    project.tutor("plugins", "disable", "webhooks")
    project.tutor("config", "save")
    compose = project.compose()
    assert "webhooks" not in compose["services"]
    assert not any("webhooks" in str(v) for v in compose["services"]["permissions"]["volumes"])
    for variant in ("lms", "cms"):
        assert "webhooks" not in (compose["services"][variant].get("depends_on") or [])
    for name in SETTINGS_FILES:
        assert "OPENEDX_WEBHOOKS" not in project.text(name), name
    assert "webhooks" not in project.text("apps/caddy/Caddyfile")
    assert "webhooks" not in project.text("build/openedx/Dockerfile")
    assert "webhooks" not in project.text("apps/permissions/setowners.sh")
    for name in ("deployments", "services", "volumes"):
        assert not any(d["metadata"]["name"] == "webhooks" for d in project.k8s(name)), name
    assert "webhooks" not in project.images()
    assert not (project.root / "env" / "plugins" / "webhooks").exists()
