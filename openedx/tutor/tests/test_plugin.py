"""`tutor plugins enable webhooks` + `tutor config save` with the real Tutor and the plugin installed from its wheel:
the published service image in docker compose and in Kubernetes behind Caddy, the published relay built into the
openedx image and set up for the LMS and Studio with the key the service gets and its own Celery queues and
workers, building from source on request, secrets generated once, and nothing left once the plugin is disabled."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, Project, run
from packaging.requirements import Requirement

from tutorwebhooks.__about__ import IMAGE, REPOSITORY, __version__

PUBLISHED_IMAGE = f"{IMAGE}:{__version__}"
SETTINGS_FILES = [
    f"apps/openedx/settings/{v}/{kind}.py" for v in ("lms", "cms") for kind in ("production", "development")
]
RELAY_BLOCK = re.compile(
    r"^# Open edX Webhooks relay \(tutor-contrib-webhooks\).*?^# End of Open edX Webhooks relay settings\.$",
    re.M | re.S,
)


def relay_settings(source: str) -> dict[str, Any]:
    """The relay's blocks of a settings file (the common one, then the variant's), executed on their own (the rest
    imports edx-platform)."""
    blocks = RELAY_BLOCK.findall(source)
    assert 1 <= len(blocks) <= 2, "the relay's settings blocks: common settings, then the variant's queue"
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(blocks), "relay-settings", "exec"), namespace)
    return {k: v for k, v in namespace.items() if k.startswith("OPENEDX_WEBHOOKS_")}


PARSE_ENV = (
    "import('./lib/env.ts').then((m) => console.log(JSON.stringify(m.parseEnv(JSON.parse(process.argv[1])))),"
    " (e) => { console.error(String(e)); process.exit(1); })"
)


def service_env(environment: dict[str, str]) -> dict[str, Any]:
    """The environment as the service itself reads it (lib/env.ts parseEnv, run by Node.js from this checkout):
    fails on what the service would refuse at start."""
    if not shutil.which("node") or not (REPO / "node_modules" / "tsx").is_dir():
        pytest.skip("needs Node.js and the service's node_modules (npm ci), as `npm test` has")
    out = run("node", "--import", "tsx", "-e", PARSE_ENV, json.dumps(environment), cwd=REPO)
    return json.loads(out.strip().splitlines()[-1])


def deployment_env(project: Project) -> dict[str, str]:
    deployment = next(
        d for d in project.k8s("deployments") if d["kind"] == "Deployment" and d["metadata"]["name"] == "webhooks"
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e["value"] for e in container["env"]}


RELAY_SETTINGS = {
    "OPENEDX_WEBHOOKS_ENABLED": True,
    "OPENEDX_WEBHOOKS_URL": "http://webhooks:3000",
    "OPENEDX_WEBHOOKS_TIMEOUT": 6,
    "OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN": True,
    "OPENEDX_WEBHOOKS_EVENTS_DELIVERY": "celery",
    "OPENEDX_WEBHOOKS_RETRY_HOURS": 25,
    "OPENEDX_WEBHOOKS_OUTBOX": True,
    "OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS": 1,
    "OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS": 30,
    "OPENEDX_WEBHOOKS_WRITABLE_FIELDS": [],
    "OPENEDX_WEBHOOKS_CA_BUNDLE": "",
}


def test_the_plugin_runs_from_its_wheel_not_the_checkout(enabled: Project) -> None:
    out = enabled.python(
        "import json, importlib.metadata as m, tutorwebhooks;"
        "d = m.distribution('tutor-contrib-webhooks');"
        "print(json.dumps([tutorwebhooks.__file__, d.read_text('direct_url.json') or '']))"
    )
    path, direct_url = json.loads(out.strip().splitlines()[-1])
    assert path.startswith(str(enabled.bin.parent)) and "site-packages" in path
    assert str(REPO) not in path and '"editable": true' not in direct_url
    assert "webhooks" in enabled.tutor("plugins", "list")


def test_compose_runs_the_published_image_with_its_volume_and_generated_secrets(enabled: Project) -> None:
    compose = enabled.compose()
    service = compose["services"]["webhooks"]
    assert service["image"] == enabled.value("WEBHOOKS_DOCKER_IMAGE") == PUBLISHED_IMAGE
    assert PUBLISHED_IMAGE == "ghcr.io/openedx-webhooks/openedx-webhooks:1.0.0"  # a registry, a path, a tag
    assert service["volumes"] == ["../../data/webhooks:/data:z"]
    env = service["environment"]
    assert env["DATA_DIR"] == "/data" and env["PORT"] == "3000"
    assert env["INITIAL_API_KEY"] == enabled.config()["WEBHOOKS_RELAY_API_KEY"]
    assert len(env["INITIAL_API_KEY"]) >= 20  # the service refuses shorter keys
    assert len(env["AUTH_SECRET"]) >= 32
    assert env["ADMIN_EMAIL"] == f"contact@{enabled.value('LMS_HOST')}"
    assert len(env["ADMIN_PASSWORD"]) >= 8
    assert "DATABASE_URL" not in env  # the embedded database, in the volume
    # The data folder is made the service user's (uid 1000) like Tutor's own.
    assert "../../data/webhooks:/mounts/webhooks:z" in compose["services"]["permissions"]["volumes"]
    assert "setowner 1000 /mounts/webhooks" in enabled.text("apps/permissions/setowners.sh")
    assert service["depends_on"] == {"permissions": {"condition": "service_completed_successfully"}}


def test_the_platform_starts_without_the_service(enabled: Project) -> None:
    # No LMS or Studio container (nor their workers) waits for the webhooks container: a missing or failing image
    # stops the service only. The relay copes with the service coming later.
    compose = enabled.compose()
    prod = yaml.safe_load(enabled.text("local/docker-compose.prod.yml"))
    for name in ("lms", "cms", "lms-worker", "cms-worker", "webhooks-lms-worker", "webhooks-cms-worker"):
        service = compose["services"].get(name) or prod["services"][name]
        assert "webhooks" not in (service.get("depends_on") or []), name


def test_behind_caddy_the_service_trusts_caddy_and_knows_its_public_address(enabled: Project) -> None:
    # Tutor's Caddyfile (overhangio/tutor, branches `release` = Ulmo at f9c2a391 and `verawood` at e5047395, the
    # same there: tutor/templates/apps/caddy/Caddyfile lines 4-11): with ENABLE_WEB_PROXY
    # (the default) Caddy sets no trusted_proxies, so it replaces X-Forwarded-For with the client's address: one
    # proxy hop. Without it, Caddy trusts every upstream and appends: the operator's proxy, then Caddy.
    env = enabled.compose()["services"]["webhooks"]["environment"]
    host = enabled.value("WEBHOOKS_HOST")
    assert env["TRUST_PROXY"] == "1"  # lib/env.ts: a number N of proxy hops
    assert env["AUTH_URL"] == f"http://{host}"
    parsed = service_env(env)  # the whole rendered environment starts the service
    assert parsed["TRUST_PROXY"] == {"hops": 1} and parsed["AUTH_URL"] == f"http://{host}"
    assert "trusted_proxies" not in enabled.text("apps/caddy/Caddyfile")
    k8s = deployment_env(enabled)
    assert (k8s["TRUST_PROXY"], k8s["AUTH_URL"]) == ("1", f"http://{host}")


def test_https_and_an_outer_proxy(project: Project) -> None:
    project.tutor("plugins", "enable", "webhooks")
    project.tutor("config", "save", "--set", "ENABLE_HTTPS=true", "--set", "ENABLE_WEB_PROXY=false")
    env = project.compose()["services"]["webhooks"]["environment"]
    assert env["AUTH_URL"] == f"https://webhooks.{project.value('LMS_HOST')}"  # Secure cookies, https redirects
    assert env["TRUST_PROXY"] == "2"
    assert service_env(env)["TRUST_PROXY"] == {"hops": 2}
    assert "trusted_proxies static 0.0.0.0/0 ::/0" in project.text("apps/caddy/Caddyfile")
    assert deployment_env(project)["AUTH_URL"] == env["AUTH_URL"]
    project.tutor("config", "save", "--set", "WEBHOOKS_TRUST_PROXY=10.0.0.0/8")
    env = project.compose()["services"]["webhooks"]["environment"]
    assert service_env(env)["TRUST_PROXY"] == {"proxies": ["10.0.0.0/8"]}


def test_lms_and_studio_settings_configure_the_relay_with_the_service_key(enabled: Project) -> None:
    key = enabled.compose()["services"]["webhooks"]["environment"]["INITIAL_API_KEY"]
    for name in SETTINGS_FILES:
        source = enabled.text(name)
        compile(source, name, "exec")  # the whole file is valid Python
        variant = name.split("/")[3]
        assert relay_settings(source) == {
            **RELAY_SETTINGS,
            "OPENEDX_WEBHOOKS_API_KEY": key,
            "OPENEDX_WEBHOOKS_CELERY_QUEUE": f"edx.{variant}.core.webhooks",
        }, name


def test_relay_knobs(project: Project) -> None:
    project.tutor("plugins", "enable", "webhooks")
    project.tutor(
        "config",
        "save",
        "--set",
        "WEBHOOKS_RELAY_EVENTS_DELIVERY=thread",
        "--set",
        "WEBHOOKS_RELAY_RETRY_HOURS=12",
        "--set",
        "WEBHOOKS_RELAY_FILTERS_FAIL_OPEN=false",
        "--set",
        'WEBHOOKS_RELAY_WRITABLE_FIELDS=["auth.User.first_name", "auth.User.last_name"]',
        "--set",
        "WEBHOOKS_RELAY_CA_BUNDLE=/openedx/config/ca.pem",
        "--set",
        "WEBHOOKS_RELAY_OUTBOX=false",
        "--set",
        "WEBHOOKS_RELAY_OUTBOX_POLL_SECONDS=0.5",
        "--set",
        "WEBHOOKS_RELAY_OUTBOX_SWEEP_SECONDS=10",
        "--set",
        "WEBHOOKS_RELAY_LMS_CELERY_QUEUE=relay.lms",
        "--set",
        "WEBHOOKS_RELAY_CMS_CELERY_QUEUE=",
    )
    lms = relay_settings(project.text("apps/openedx/settings/lms/production.py"))
    assert lms["OPENEDX_WEBHOOKS_EVENTS_DELIVERY"] == "thread"
    assert lms["OPENEDX_WEBHOOKS_RETRY_HOURS"] == 12
    assert lms["OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN"] is False
    assert lms["OPENEDX_WEBHOOKS_WRITABLE_FIELDS"] == ["auth.User.first_name", "auth.User.last_name"]
    assert lms["OPENEDX_WEBHOOKS_CA_BUNDLE"] == "/openedx/config/ca.pem"
    assert lms["OPENEDX_WEBHOOKS_OUTBOX"] is False
    assert lms["OPENEDX_WEBHOOKS_OUTBOX_POLL_SECONDS"] == 0.5
    assert lms["OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS"] == 10
    assert lms["OPENEDX_WEBHOOKS_CELERY_QUEUE"] == "relay.lms"
    # `--set` with a comma-separated string gives the same list.
    project.tutor("config", "save", "--set", "WEBHOOKS_RELAY_WRITABLE_FIELDS=auth.User.first_name, auth.User.last_name")
    fields = relay_settings(project.text("apps/openedx/settings/cms/production.py"))["OPENEDX_WEBHOOKS_WRITABLE_FIELDS"]
    assert fields == ["auth.User.first_name", "auth.User.last_name"]
    # An empty queue: Studio's relay tasks go to the platform's default queue, and no worker of ours is added.
    assert "OPENEDX_WEBHOOKS_CELERY_QUEUE" not in relay_settings(
        project.text("apps/openedx/settings/cms/production.py")
    )
    prod = yaml.safe_load(project.text("local/docker-compose.prod.yml"))["services"]
    assert "--queues=relay.lms" in prod["webhooks-lms-worker"]["command"]
    assert "webhooks-cms-worker" not in prod
    assert [d["metadata"]["name"] for d in project.k8s("deployments") if "webhooks" in d["metadata"]["name"]] == [
        "webhooks",
        "webhooks-lms-worker",
    ]


def test_the_settings_are_the_relays_own_with_its_types(enabled: Project) -> None:
    # The relay's settings module, loaded from its source (its package imports Django; this file does not).
    spec = importlib.util.spec_from_file_location(
        "relay_settings", REPO / "openedx/relay/openedx_webhooks_relay/settings/common.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Where the plugin has no reason of its own, its default is the relay's (a changed relay default is followed).
    deliberate = {
        "OPENEDX_WEBHOOKS_URL",
        "OPENEDX_WEBHOOKS_API_KEY",
        "OPENEDX_WEBHOOKS_TIMEOUT",
        "OPENEDX_WEBHOOKS_CELERY_QUEUE",
    }
    for setting, value in relay_settings(enabled.text(SETTINGS_FILES[0])).items():
        if setting not in deliberate:
            assert value == module.DEFAULTS.get(setting), f"{setting}: the plugin's default differs from the relay's"
    for name in SETTINGS_FILES:
        ours = relay_settings(enabled.text(name))
        for setting, value in ours.items():
            assert setting in module.DEFAULTS, f"{setting} is not a setting of the relay"
            default = module.DEFAULTS[setting]
            assert isinstance(value, type(default)) or (
                isinstance(value, list) and isinstance(default, (list, tuple))
            ), setting


def _tutor_worker(compose_prod: dict[str, Any], variant: str) -> dict[str, Any]:
    return compose_prod["services"][f"{variant}-worker"]


def test_relay_workers_are_made_like_tutors_own(enabled: Project) -> None:
    # Tutor's lms-worker and cms-worker (overhangio/tutor `release` and `verawood`:
    # tutor/templates/local/docker-compose.prod.yml lines 29-69, tutor/templates/k8s/deployments.yml lines 124-170
    # and 234-280; their command from tutor/plugins/openedx.py LMS_WORKER_COMMAND/CMS_WORKER_COMMAND, lines
    # 224-251) consume only their own --queues, so the relay's queue is served by its worker alone.
    prod = yaml.safe_load(enabled.text("local/docker-compose.prod.yml"))
    for variant in ("lms", "cms"):
        queue = f"edx.{variant}.core.webhooks"
        ours, tutors = prod["services"][f"webhooks-{variant}-worker"], _tutor_worker(prod, variant)
        for key in ("image", "environment", "volumes", "restart", "depends_on"):
            assert ours[key] == tutors[key], (variant, key)
        assert not any(queue in arg for arg in tutors["command"])
        expected = [
            f"--hostname={queue}.%h"
            if a.startswith("--hostname=")
            else f"--queues={queue}"
            if a.startswith("--queues=")
            else a
            for a in tutors["command"]
        ]
        expected.insert(expected.index(f"--queues={queue}") + 1, "--concurrency=2")
        assert ours["command"] == expected
        deployments = {d["metadata"]["name"]: d for d in enabled.k8s("deployments")}
        ours_k8s = deployments[f"webhooks-{variant}-worker"]["spec"]["template"]["spec"]
        tutors_k8s = deployments[f"{variant}-worker"]["spec"]["template"]["spec"]
        assert ours_k8s["containers"][0]["args"] == expected
        for key in ("image", "env", "volumeMounts", "securityContext"):
            assert ours_k8s["containers"][0][key] == tutors_k8s["containers"][0][key], (variant, key)
        assert ours_k8s["volumes"] == tutors_k8s["volumes"]


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
    assert pod["containers"][0]["image"] == PUBLISHED_IMAGE
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


def test_by_default_images_name_published_artifacts(enabled: Project) -> None:
    # The service: pulled (`tutor images pull webhooks`); a build of it fetches this release's tag.
    assert enabled.tutor("images", "printtag", "webhooks").strip() == PUBLISHED_IMAGE
    rendered = enabled.text("plugins/webhooks/build/webhooks/Dockerfile")
    assert rendered.rstrip("\n") == (REPO / "Dockerfile").read_text().rstrip("\n")
    assert "FROM scratch AS source" in rendered
    images = enabled.images()
    path, tag, args = images["webhooks"]
    assert (path, tag) == ("plugins/webhooks/build/webhooks", PUBLISHED_IMAGE)
    assert args == [f"--build-context=source={REPOSITORY}.git#v{__version__}"]
    # The relay: from PyPI, pinned to the plugin's own version, under the same name as openedx/relay's package.
    relay_name = re.search(r'^name = "(.+)"$', (REPO / "openedx/relay/pyproject.toml").read_text(), re.M)
    assert relay_name and relay_name.group(1) == "openedx-webhooks-relay"
    openedx = enabled.text("build/openedx/Dockerfile")
    requirement = re.search(r"\$PIP_COMMAND install '(openedx-webhooks-relay[^']*)'", openedx)
    assert requirement, openedx
    parsed = Requirement(requirement.group(1))
    assert (parsed.name, str(parsed.specifier), parsed.url) == (relay_name.group(1), f"=={__version__}", None)
    assert "webhooks-relay,target" not in openedx
    # A reference Docker resolves as written: a registry host first (not docker.io's library), a path, a tag.
    assert re.fullmatch(r"[a-z0-9.-]+\.[a-z]+/[a-z0-9-]+/[a-z0-9-]+:\d+\.\d+\.\d+", PUBLISHED_IMAGE)
    for name in ("openedx", "openedx-dev"):
        assert not any("webhooks-relay" in a for a in images[name][2])
    # `tutor local launch` builds the openedx image (the relay must be in it), and pulls the service's.
    assert enabled.python(BUILD_REQUIRED_SCRIPT, str(enabled.root)).split() == ["openedx"]


BUILD_REQUIRED_SCRIPT = """
import sys
from tutor import hooks, config as tutor_config
hooks.Actions.CORE_READY.do()
hooks.Actions.PROJECT_ROOT_READY.do(sys.argv[1])
tutor_config.load(sys.argv[1])
print(" ".join(hooks.Filters.IMAGES_BUILD_REQUIRED.apply([], "local")))
"""


def test_building_from_a_folder_or_a_git_url(project: Project, tmp_path: Path) -> None:
    project.tutor("plugins", "enable", "webhooks")
    relay_git = f"{REPOSITORY}.git#main:openedx/relay"
    project.tutor("config", "save", "--set", f"WEBHOOKS_SOURCE={REPO}", "--set", f"WEBHOOKS_RELAY_SOURCE={relay_git}")
    images = project.images()
    assert images["webhooks"][2] == [f"--build-context=source={REPO}"]
    for name in ("openedx", "openedx-dev"):
        assert f"--build-context=webhooks-relay={relay_git}" in images[name][2]
    openedx = project.text("build/openedx/Dockerfile")
    assert "--mount=type=bind,from=webhooks-relay,target=/tmp/openedx-webhooks-relay,rw" in openedx
    assert "$PIP_COMMAND install /tmp/openedx-webhooks-relay" in openedx
    assert "openedx-webhooks-relay==" not in openedx
    # With a source, `tutor local launch` builds the service's image too.
    assert sorted(project.python(BUILD_REQUIRED_SCRIPT, str(project.root)).split()) == ["openedx", "webhooks"]


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


def test_external_database_and_relay_requirement(project: Project) -> None:
    project.tutor("plugins", "enable", "webhooks")
    url = "postgres://webhooks:s3cr%40t@db.example.org:5432/webhooks"
    project.tutor(
        "config",
        "save",
        "--set",
        f"WEBHOOKS_DATABASE_URL={url}",
        "--set",
        "WEBHOOKS_RELAY_PIP_REQUIREMENT=openedx-webhooks-relay==1.0.1",
        "--set",
        "WEBHOOKS_RELAY_ENABLED=false",
    )
    assert relay_settings(project.text("apps/openedx/settings/cms/production.py"))["OPENEDX_WEBHOOKS_ENABLED"] is False
    assert project.compose()["services"]["webhooks"]["environment"]["DATABASE_URL"] == url
    assert deployment_env(project)["DATABASE_URL"] == url
    assert "$PIP_COMMAND install 'openedx-webhooks-relay==1.0.1'" in project.text("build/openedx/Dockerfile")
    # Another release of the service: its image, and its tag when built.
    project.tutor("config", "save", "--set", "WEBHOOKS_VERSION=1.0.1")
    assert project.compose()["services"]["webhooks"]["image"] == f"{IMAGE}:1.0.1"
    assert project.images()["webhooks"][2] == [f"--build-context=source={REPOSITORY}.git#v1.0.1"]


def test_disabling_removes_everything(project: Project) -> None:
    project.tutor("plugins", "enable", "webhooks")
    project.tutor("config", "save")
    project.tutor("plugins", "disable", "webhooks")
    project.tutor("config", "save")
    compose = project.compose()
    assert "webhooks" not in compose["services"]
    assert not any(
        "webhooks" in name for name in yaml.safe_load(project.text("local/docker-compose.prod.yml"))["services"]
    )
    assert not any("webhooks" in str(v) for v in compose["services"]["permissions"]["volumes"])
    for name in SETTINGS_FILES:
        assert "OPENEDX_WEBHOOKS" not in project.text(name), name
    assert "webhooks" not in project.text("apps/caddy/Caddyfile")
    assert "webhooks" not in project.text("build/openedx/Dockerfile")
    assert "webhooks" not in project.text("apps/permissions/setowners.sh")
    for name in ("deployments", "services", "volumes"):
        assert not any("webhooks" in d["metadata"]["name"] for d in project.k8s(name)), name
    assert "webhooks" not in project.images()
    assert not (project.root / "env" / "plugins" / "webhooks").exists()
