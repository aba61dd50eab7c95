"""Tutor plugin: the Open edX Webhooks service beside Open edX, and its relay installed in and set up for the LMS and
Studio with a key generated once, so nothing is copied by hand."""

from __future__ import annotations

import shutil
from importlib import resources
from typing import Any, Literal, Union

import click
from tutor import config as tutor_config
from tutor import env as tutor_env
from tutor import hooks

from .__about__ import IMAGE, REPOSITORY, __version__

PACKAGE = resources.files("tutorwebhooks")

ImageBuild = tuple[str, Union[str, tuple[str, ...]], str, tuple[str, ...]]

config: dict[str, dict[str, Any]] = {
    # Settings users may change (`tutor config save --set WEBHOOKS_…=…`); not written to config.yml unless set.
    "defaults": {
        "VERSION": __version__,
        # The published image of this release; `tutor images build webhooks` builds the same tag from source.
        "DOCKER_IMAGE": f"{IMAGE}:{{{{ WEBHOOKS_VERSION }}}}",
        # Where the admin app is served (through Caddy), and where the LMS and Studio reach the service.
        "HOST": "webhooks.{{ LMS_HOST }}",
        "INTERNAL_URL": "http://webhooks:3000",
        # Proxies in front of the service (its TRUST_PROXY, as a hop count): Caddy, plus the operator's own web
        # proxy when Tutor's ENABLE_WEB_PROXY is off (Caddy then passes on what that proxy forwarded).
        "TRUST_PROXY": "{% if ENABLE_WEB_PROXY %}1{% else %}2{% endif %}",
        # The first admin, created at the service's first start (password in WEBHOOKS_ADMIN_PASSWORD).
        "ADMIN_EMAIL": "{{ CONTACT_EMAIL }}",
        # postgres://… to use an external PostgreSQL; empty: the embedded database in the data volume.
        "DATABASE_URL": "",
        # Building from source instead: a folder or a git URL (https://…/openedx-webhooks.git#<ref>) of this
        # repository (WEBHOOKS_SOURCE) and of its relay (WEBHOOKS_RELAY_SOURCE, …/openedx/relay or a git URL
        # ending in #<ref>:openedx/relay). Empty: the published image and the relay from PyPI.
        "SOURCE": "",
        "RELAY_SOURCE": "",
        "RELAY_PIP_REQUIREMENT": f"openedx-webhooks-relay=={__version__}",
        # The relay's Django settings (SPEC §8; openedx/relay/README.md says what each does).
        "RELAY_ENABLED": True,
        # One second over the service's whole-filter budget (FILTER_TIMEOUT_MS, 5 s), so a webfilter that uses all
        # of it still gets its answer to the LMS instead of the relay giving up as it arrives.
        "RELAY_TIMEOUT": 6,
        "RELAY_FILTERS_FAIL_OPEN": True,
        "RELAY_EVENTS_DELIVERY": "celery",
        "RELAY_RETRY_HOURS": 25,
        # The transactional outbox (True: an event is a row written in its own transaction, nothing accepted is
        # lost), how often each Celery worker polls it (seconds), and how often every process sweeps it for rows a
        # dead process left or due for a retry (seconds).
        "RELAY_OUTBOX": True,
        "RELAY_OUTBOX_POLL_SECONDS": 1,
        "RELAY_OUTBOX_SWEEP_SECONDS": 30,
        # Model fields a webfilter's answer may change beyond the safe default ("auth.User.is_staff", …).
        "RELAY_WRITABLE_FIELDS": [],
        # A CA bundle (a path inside the openedx containers) for a service behind a private certificate authority.
        "RELAY_CA_BUNDLE": "",
        # The relay's own Celery queues, each with its own worker (webhooks-lms-worker, webhooks-cms-worker), so
        # its tasks never wait behind grading or emails. Empty: the platform's default queue and no extra worker.
        "RELAY_LMS_CELERY_QUEUE": "edx.lms.core.webhooks",
        "RELAY_CMS_CELERY_QUEUE": "edx.cms.core.webhooks",
        "RELAY_WORKER_CONCURRENCY": 2,
        # Kubernetes: size of the data volume claim.
        "VOLUME_SIZE": "1Gi",
    },
    # Generated once at the first `tutor config save` and kept in config.yml.
    "unique": {
        # The relay's key: given to the service as INITIAL_API_KEY (every scope) and to the LMS and Studio.
        "RELAY_API_KEY": "{{ 40|random_string }}",
        "AUTH_SECRET": "{{ 48|random_string }}",
        "ADMIN_PASSWORD": "{{ 20|random_string }}",
    },
}

hooks.Filters.CONFIG_DEFAULTS.add_items([(f"WEBHOOKS_{key}", value) for key, value in config["defaults"].items()])
hooks.Filters.CONFIG_UNIQUE.add_items([(f"WEBHOOKS_{key}", value) for key, value in config["unique"].items()])

# Templates: the service's build context (env/plugins/webhooks/build/webhooks).
hooks.Filters.ENV_TEMPLATE_ROOTS.add_item(str(PACKAGE / "templates"))
hooks.Filters.ENV_TEMPLATE_TARGETS.add_item(("webhooks/build", "plugins"))

# Patches: one file each, named after the patch.
for patch in sorted((PACKAGE / "patches").iterdir(), key=lambda p: p.name):
    if patch.is_file() and not patch.name.startswith("."):
        hooks.Filters.ENV_PATCHES.add_item((patch.name, patch.read_text(encoding="utf-8")))


def _rendered(config: dict[str, Any], name: str) -> str:
    return tutor_env.render_str(config, str(config.get(name) or ""))


def _release_source(config: dict[str, Any]) -> str:
    """The git URL of the release tag of WEBHOOKS_VERSION: what its published image was built from."""
    return f"{REPOSITORY}.git#v{_rendered(config, 'WEBHOOKS_VERSION')}"


@hooks.Filters.IMAGES_BUILD.add(priority=hooks.priorities.LOW)
def _build_images(images: list[ImageBuild], config: dict[str, Any]) -> list[ImageBuild]:
    """`tutor images build webhooks` builds the repository's Dockerfile with WEBHOOKS_SOURCE (or the release tag of
    WEBHOOKS_VERSION) as its `source` stage; the openedx images get WEBHOOKS_RELAY_SOURCE, when set, as the
    `webhooks-relay` context (see the Dockerfile patch)."""
    source = _rendered(config, "WEBHOOKS_SOURCE") or _release_source(config)
    images.append(
        (
            "webhooks",
            ("plugins", "webhooks", "build", "webhooks"),
            "{{ WEBHOOKS_DOCKER_IMAGE }}",
            (f"--build-context=source={source}",),
        )
    )
    relay = _rendered(config, "WEBHOOKS_RELAY_SOURCE")
    if relay:
        images[:] = [
            (name, path, tag, (*args, f"--build-context=webhooks-relay={relay}"))
            if name in ("openedx", "openedx-dev")
            else (name, path, tag, args)
            for name, path, tag, args in images
        ]
    return images


# Whether the service is built from source (WEBHOOKS_SOURCE set), as the last configuration loaded says.
_from_source = {"webhooks": False}


@hooks.Actions.CONFIG_LOADED.add()
def _note_source(config: dict[str, Any]) -> None:
    _from_source["webhooks"] = bool(config.get("WEBHOOKS_SOURCE"))


@hooks.Filters.IMAGES_BUILD_REQUIRED.add()
def _build_on_launch(names: list[str], context_name: Literal["local", "dev"]) -> list[str]:
    # The openedx image must contain the relay, so `tutor local launch` builds it (dev builds openedx-dev already).
    # The service's image is pulled, unless WEBHOOKS_SOURCE says to build it.
    if _from_source["webhooks"]:
        names.append("webhooks")
    if context_name == "local" and "openedx" not in names:
        names.append("openedx")
    return names


hooks.Filters.IMAGES_PULL.add_item(("webhooks", "{{ WEBHOOKS_DOCKER_IMAGE }}"))
hooks.Filters.IMAGES_PUSH.add_item(("webhooks", "{{ WEBHOOKS_DOCKER_IMAGE }}"))


@hooks.Filters.APP_PUBLIC_HOSTS.add()
def _public_hosts(hosts: list[str], context_name: Literal["local", "dev"]) -> list[str]:
    if context_name == "local":
        hosts.append("{{ WEBHOOKS_HOST }}")
    return hosts


@hooks.Actions.PLUGIN_UNLOADED.add(priority=hooks.priorities.HIGH - 1)
def _remove_rendered_files(plugin: str, root: str, _config: dict[str, Any]) -> None:
    # Tutor clears a plugin's hooks (priority HIGH) before it deletes the folders the plugin rendered, so it no longer
    # finds them and env/plugins/webhooks would stay: remove it first.
    if plugin == "webhooks":
        shutil.rmtree(tutor_env.pathjoin(root, "plugins", "webhooks"), ignore_errors=True)


@click.group(help="Open edX Webhooks")
def webhooks() -> None:
    pass


@webhooks.command(name="admin", help="Print the admin app's address and the first admin's sign-in.")
@click.pass_obj
def admin(context: Any) -> None:
    cfg = tutor_config.load(context.root)
    scheme = "https" if cfg.get("ENABLE_HTTPS") else "http"
    click.echo(f"Admin app: {scheme}://{cfg['WEBHOOKS_HOST']}")
    click.echo(f"Email:     {cfg['WEBHOOKS_ADMIN_EMAIL']}")
    click.echo(f"Password:  {cfg['WEBHOOKS_ADMIN_PASSWORD']}  (until changed in the app)")


hooks.Filters.CLI_COMMANDS.add_item(webhooks)
