"""The deployment files in ``deploy/`` stay true to the hub.

Pure file checks (no network): the YAML parses; compose's and Kubernetes' health checks point at
``/healthz`` and ``/readyz``; every ``HUB_*`` name is a real setting; every ``hub`` command and
uvicorn option exists; the files agree with each other (ports, hosts, timeouts, upload limit);
the nginx configuration passes ``nginx -t`` and the systemd units ``systemd-analyze verify`` where
those programs are installed (``HUB_TEST_REQUIRE_NGINX`` turns the nginx skip into a failure);
and nothing looks like a real secret.
"""

from __future__ import annotations

import argparse
import configparser
import datetime as dt
import importlib
import json
import math
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.cli import build_parser
from hub.settings import PREFIX, Settings, SettingsError, setting_fields
from hub.sync.source_form import MAX_BODY_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
SYSTEMD = DEPLOY / "systemd"
NGINX_CONF = DEPLOY / "nginx" / "hub.conf"
ENV_EXAMPLE = DEPLOY / "hub.env.example"
CONTAINERFILE = DEPLOY / "Containerfile"

GRACEFUL_SHUTDOWN = 20  # uvicorn --timeout-graceful-shutdown in the image and the units
SCHEDULER_STOP = 60  # a scheduler needs at least this long to finish the work in hand
HOST = "hub.example"  # the placeholder host name used throughout deploy/
FACTORY = "hub.app:app_from_environment"

# HUB_ names that are not fields of Settings: the config file's name (read from the environment
# only), the settings being added with metrics and JSON logs, and per-provider/per-peer secrets.
EXTRA_NAMES = {"HUB_CONFIG_FILE", "HUB_LOG_FORMAT", "HUB_METRICS_PORT", "HUB_METRICS_TOKEN"}
EXTRA_PATTERNS = [re.compile(r"HUB_PEER_[A-Z0-9_]+_SECRET"), re.compile(r"HUB_OIDC_[A-Z0-9_]+_CLIENT_SECRET")]


# --- helpers ------------------------------------------------------------------------------------


def deploy_files() -> list[Path]:
    files = [p for p in DEPLOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted([*files, ROOT / ".dockerignore"])


def yaml_files() -> list[Path]:
    return sorted(DEPLOY.rglob("*.yaml"))


def load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def services() -> dict[str, Any]:
    result: dict[str, Any] = compose()["services"]
    return result


def k8s_objects() -> dict[tuple[str, str], dict[str, Any]]:
    objects = {}
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in load_all(path):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in objects, f"{key} is defined twice"
            objects[key] = doc
    return objects


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, pod spec) of every workload: Deployments, Jobs and CronJobs."""
    for (kind, name), doc in k8s_objects().items():
        if kind in ("Deployment", "Job"):
            yield name, doc["spec"]["template"]["spec"]
        elif kind == "CronJob":
            yield name, doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def container(kind: str, name: str) -> dict[str, Any]:
    spec = k8s_objects()[(kind, name)]["spec"]["template"]["spec"]
    (only,) = spec["containers"]
    result: dict[str, Any] = only
    return result


def seconds(duration: str | int) -> float:
    """Compose durations: "30s", "1m30s", "90s"."""
    if isinstance(duration, int):
        return duration
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?", duration)
    assert parts and duration, f"not a duration: {duration!r}"
    h, m, s, ms = (int(g or 0) for g in parts.groups())
    return h * 3600 + m * 60 + s + ms / 1000


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f"hub.env.example: not NAME=value: {line!r}"
        values[name] = value
    return values


def setting_names() -> set[str]:
    return {PREFIX + field.name.upper() for field in setting_fields()}


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(), source=str(path))
    return parser


def unit_values(path: Path, section: str, key: str) -> list[str]:
    """Every value of a key that may be repeated (configparser keeps only the last)."""
    values, current = [], None
    for line in path.read_text().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section and line.startswith(f"{key}="):
            values.extend(line.split("=", 1)[1].split())
    return values


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def containerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined, current = [], ""
    for line in CONTAINERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") and not current:
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            word, _, rest = current.strip().partition(" ")
            joined.append((word.upper(), rest.strip()))
        current = ""
    return joined


def containerfile_cmd(instruction: str) -> list[str]:
    (args,) = [rest for word, rest in containerfile_instructions() if word == instruction]
    argv: list[str] = json.loads(args)
    return argv


# --- YAML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_yaml_parses(path: Path) -> None:
    docs = load_all(path)
    assert docs, f"{path} is empty"
    assert all(isinstance(doc, dict) for doc in docs)


# --- compose ------------------------------------------------------------------------------------


def test_compose_has_the_hubs_parts() -> None:
    assert set(services()) == {"db", "migrate", "web", "scheduler", "proxy"}


def test_compose_runs_the_migration_first() -> None:
    s = services()
    assert s["db"]["image"] == "postgres:16"
    assert "pg_isready" in s["db"]["healthcheck"]["test"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in s["db"]["volumes"])
    assert s["migrate"]["command"] == ["hub", "migrate"]
    assert s["migrate"]["restart"] == "no"
    assert s["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "scheduler"):
        assert s[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_compose_health_checks_use_the_hubs_endpoints() -> None:
    s = services()
    assert s["web"]["healthcheck"]["test"] == ["CMD", "python", "/opt/hub/healthcheck.py", "/readyz"]
    port = s["scheduler"]["environment"]["HUB_METRICS_PORT"]
    assert port == "9100"
    assert s["scheduler"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "/opt/hub/healthcheck.py",
        "--tcp",
        port,
    ]
    assert s["scheduler"]["command"] == ["hub", "scheduler"]
    assert s["migrate"]["healthcheck"] == {"disable": True}  # the image's checks a web port
    assert s["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_compose_gives_processes_time_to_stop() -> None:
    s = services()
    assert GRACEFUL_SHUTDOWN < seconds(s["web"]["stop_grace_period"]) <= 60
    assert seconds(s["scheduler"]["stop_grace_period"]) >= SCHEDULER_STOP


def test_compose_publishes_only_the_proxy() -> None:
    s = services()
    assert s["web"]["deploy"]["replicas"] >= 2
    assert sorted(s["proxy"]["ports"]) == ["443:443", "80:80"]
    for name, service in s.items():
        if name != "proxy":
            assert "ports" not in service, f"{name} must be reached through the proxy only"


def test_compose_hub_services_share_image_env_and_data() -> None:
    s = services()
    hub_services = ["migrate", "web", "scheduler"]
    images = {s[name]["image"] for name in hub_services}
    assert len(images) == 1
    for name in hub_services:
        assert s[name]["env_file"] == "hub.env"
        assert "hub-data:/var/lib/hub" in s[name]["volumes"]
        assert s[name]["build"] == {"context": "..", "dockerfile": "deploy/Containerfile"}
    assert (
        DEPLOY / s["web"]["build"]["context"] / s["web"]["build"]["dockerfile"]
    ).resolve() == CONTAINERFILE
    assert env_example()["HUB_LOG_FORMAT"] == "json"


def test_compose_proxy_mounts_files_that_exist() -> None:
    mounts = services()["proxy"]["volumes"]
    for mount in mounts:
        source, _target, *_ = mount.split(":")
        if source != "./tls":  # made by whoever deploys
            assert (DEPLOY / source).is_file(), source
    assert "./nginx/hub.conf:/etc/hub/nginx/hub.conf:ro" in mounts
    assert "./tls:/etc/hub/tls:ro" in mounts
    script = " ".join(services()["proxy"]["command"])
    assert "sed -f /etc/hub/nginx/compose.sed /etc/hub/nginx/hub.conf" in script


def test_compose_interpolates_only_what_it_means_to() -> None:
    # compose substitutes every $ (in commands and health checks too): only ${IMAGE_TAG...} here.
    text = (DEPLOY / "compose.yaml").read_text()
    assert re.findall(r"\$\{?[A-Za-z_]*", text) == ["${IMAGE_TAG"]


# --- the container image ------------------------------------------------------------------------


def test_containerfile_builds_in_stages_on_python_slim() -> None:
    instructions = containerfile_instructions()
    args = dict(rest.split("=", 1) for word, rest in instructions if word == "ARG" and "=" in rest)
    froms = [rest for word, rest in instructions if word == "FROM"]
    assert len(froms) >= 2, "multi-stage"
    for line in froms:
        image = line.split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert image == "python:3.11-slim"


def test_containerfile_installs_the_package_not_editable_with_catalogs() -> None:
    instructions = containerfile_instructions()
    runs = " ".join(rest for word, rest in instructions if word == "RUN")
    assert re.search(r"pip install \.(\s|$)", runs)
    assert "-e ." not in runs and "--editable" not in runs
    # The build hook compiles the catalogs into the wheel; the image checks that Dutch is there.
    assert any(word == "COPY" and "hatch_build.py" in rest for word, rest in instructions)
    assert "catalog_missing('nl')" in runs


def test_containerfile_copies_every_part_of_the_wheel() -> None:
    """What pyproject.toml builds the wheel from must be in the build stage (and not ignored)."""
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {*wheel["packages"], *wheel.get("force-include", {}), "pyproject.toml", "README.md"}
    copied = set()
    ignored = {
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if not line.startswith("#")
    }
    for word, rest in containerfile_instructions():
        if word == "COPY" and not rest.startswith("--from"):
            *sources, _target = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
                assert source not in ignored, f"COPY {source}: excluded by .dockerignore"
                copied.add(source)
    assert needed <= copied, f"not copied into the image: {sorted(needed - copied)}"


def test_containerfile_runs_unprivileged_with_a_data_volume() -> None:
    instructions = containerfile_instructions()
    (user,) = [rest for word, rest in instructions if word == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    env = " ".join(rest for word, rest in instructions if word == "ENV")
    assert "HUB_DATA_DIR=/var/lib/hub" in env
    assert "HUB_LOG_FORMAT=json" in env
    assert ("VOLUME", '["/var/lib/hub"]') in instructions
    assert ("EXPOSE", "8000") in instructions
    # Kubernetes' runAsUser must be the image's user.
    uid = int(user.split(":")[0])
    for name, spec in pod_specs():
        if container_images(spec) == {"circular-procurement-hub"}:
            assert spec["securityContext"]["runAsUser"] == uid, name


def container_images(spec: dict[str, Any]) -> set[str]:
    return {c["image"] for c in spec["containers"]}


def test_containerfile_health_check_hits_healthz() -> None:
    (check,) = [rest for word, rest in containerfile_instructions() if word == "HEALTHCHECK"]
    assert check.endswith('CMD ["python", "/opt/hub/healthcheck.py", "/healthz"]')
    assert ("COPY", "deploy/healthcheck.py /opt/hub/healthcheck.py") in containerfile_instructions()


def test_dockerignore_keeps_local_state_out() -> None:
    entries = set((ROOT / ".dockerignore").read_text().split())
    for entry in (".venv", "var", "**/node_modules", ".git", "test-artifacts", "bench/results"):
        assert entry in entries, entry
    assert "deploy/hub.env" in entries, "a filled-in env file must never go into an image"


# --- uvicorn ------------------------------------------------------------------------------------


def uvicorn_commands() -> dict[str, list[str]]:
    web_unit = read_unit(SYSTEMD / "hub-web@.service")
    return {
        "Containerfile CMD": containerfile_cmd("CMD"),
        "hub-web@.service": shlex.split(web_unit["Service"]["ExecStart"].replace("%i", "8001")),
    }


@pytest.mark.parametrize("where", ["Containerfile CMD", "hub-web@.service"])
def test_uvicorn_command_is_valid(where: str) -> None:
    import uvicorn.importer

    cli = importlib.import_module("uvicorn.main").main  # the package's `uvicorn.main` is the function

    argv = uvicorn_commands()[where]
    assert Path(argv[0]).name == "uvicorn"
    context = cli.make_context("uvicorn", argv[1:])  # unknown options raise here
    params = context.params
    assert params["factory"] is True
    assert params["app"] == FACTORY
    assert callable(uvicorn.importer.import_from_string(FACTORY))
    assert params["proxy_headers"] is True
    assert params["timeout_graceful_shutdown"] == GRACEFUL_SHUTDOWN
    expected_trust = {"Containerfile CMD": "*", "hub-web@.service": "127.0.0.1"}[where]
    assert params["forwarded_allow_ips"] == expected_trust
    # nginx closes idle upstream connections before uvicorn does (no reuse of a closing one).
    upstream_idle = re.search(r"keepalive_timeout (\d+)s;", upstream_block())
    assert upstream_idle and params["timeout_keep_alive"] > int(upstream_idle.group(1))


# --- HUB_* names and the env file ----------------------------------------------------------------


def test_every_hub_variable_is_a_real_setting() -> None:
    known = setting_names() | EXTRA_NAMES
    unknown = Counter()
    for path in deploy_files():
        for name in re.findall(r"\bHUB_[A-Z0-9_]*[A-Z0-9]\b", path.read_text()):
            if name not in known and not any(p.fullmatch(name) for p in EXTRA_PATTERNS):
                unknown[f"{path.relative_to(ROOT)}: {name}"] += 1
    assert not unknown, f"not settings of the hub: {sorted(unknown)}"


# What replaces the "change-me" secret key when the hub is deployed (the placeholder is refused).
A_REAL_KEY = {"HUB_SECRET_KEY": secrets.token_urlsafe(48)}


def refuses_the_placeholder_key(values: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="HUB_SECRET_KEY is too short"):
        Settings.load(environ=values)


def test_env_example_lists_every_setting_and_loads() -> None:
    text = ENV_EXAMPLE.read_text()
    missing = sorted(name for name in setting_names() if not re.search(rf"^#? ?{name}\b", text, re.M))
    assert not missing, f"hub.env.example does not mention {missing}"
    values = env_example()
    refuses_the_placeholder_key(values)
    settings = Settings.load(environ={**values, **A_REAL_KEY})  # every value has a type the hub takes
    assert settings.data_dir == Path("/var/lib/hub")
    assert values["HUB_LOG_FORMAT"] == "json"
    assert settings.database_url.startswith("postgresql+psycopg://")


def test_env_example_works_for_systemd_and_compose() -> None:
    values = env_example()
    # systemd: EnvironmentFile= overrides Environment=, which sets each scheduler's port.
    assert "HUB_METRICS_PORT" not in values
    for name, value in values.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), name
        assert " #" not in value, f"{name}: systemd would keep a comment after the value"
        assert "$" not in value, f"{name}: compose would substitute the $"


def test_kubernetes_configuration_names_are_settings() -> None:
    objects = k8s_objects()
    config = objects[("ConfigMap", "hub-config")]["data"]
    secret = objects[("Secret", "hub-secrets")]["stringData"]
    assert set(config) | set(secret) <= setting_names() | EXTRA_NAMES
    assert not set(config) & set(secret)
    assert config["HUB_LOG_FORMAT"] == "json"
    assert config["HUB_DATA_DIR"] == "/var/lib/hub"
    refuses_the_placeholder_key({**config, **secret})
    Settings.load(environ={**config, **secret, **A_REAL_KEY})


# --- hub commands -------------------------------------------------------------------------------


def markdown_code(text: str) -> str:
    fenced = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    outside = re.sub(r"```.*?```", "", text, flags=re.S)
    return "\n".join(fenced + re.findall(r"`([^`\n]+)`", outside))


def hub_commands() -> set[tuple[str, ...]]:
    """Every ``hub ...`` command line in deploy/: as words, up to the first that is not a name."""
    found: set[tuple[str, ...]] = set()
    for service in services().values():
        if isinstance(service.get("command"), list) and service["command"][0] == "hub":
            found.add(tuple(service["command"][1:]))
    for _name, spec in pod_specs():
        for c in spec["containers"]:
            if c.get("command", [""])[0] == "hub":
                found.add(tuple(c["command"][1:]))
    for unit in SYSTEMD.glob("*.service"):
        argv = shlex.split(read_unit(unit)["Service"]["ExecStart"])
        if Path(argv[0]).name == "hub":
            found.add(tuple(argv[1:]))
    readme = markdown_code((DEPLOY / "README.md").read_text())
    for match in re.finditer(r"(?<![\w/.=-])hub ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)", readme):
        before = readme[: match.start()].split()
        if before and (before[-1].startswith("-") or before[-1] == "namespace"):
            continue  # `kubectl -n hub create ...`: the namespace, not the command
        found.add(tuple(match.group(1).split()))
    return found


def test_every_hub_command_exists() -> None:
    commands = hub_commands()
    assert ("migrate",) in commands and ("scheduler",) in commands
    top = subcommands(build_parser())
    for words in commands:
        assert words[0] in top, f"`hub {' '.join(words)}`: there is no command {words[0]!r}"
        nested = subcommands(top[words[0]])
        if nested:
            assert len(words) > 1 and words[1] in nested, f"`hub {' '.join(words)}`: no such action"


# --- Kubernetes ---------------------------------------------------------------------------------


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    kustomization = load_all(KUBERNETES / "kustomization.yaml")[0]
    manifests = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(kustomization["resources"]) == manifests
    images = {image["name"] for image in kustomization["images"]}
    for name, spec in pod_specs():
        for image in container_images(spec):
            assert image in images or ":" in image, f"{name}: image {image} has no tag"


def test_pods_run_unprivileged_on_a_read_only_root() -> None:
    for name, spec in pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["enableServiceLinks"] is False, f"{name}: service links add HUB_... variables"
        assert spec["automountServiceAccountToken"] is False, name
        mounts = {m["name"]: m["mountPath"] for c in spec["containers"] for m in c.get("volumeMounts", [])}
        assert "/tmp" in mounts.values(), f"{name}: a read-only root needs a /tmp volume"
        for c in spec["containers"]:
            assert c["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert c["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"], name
            assert "memory" in c["resources"]["limits"] and c["resources"]["requests"], name


def test_pods_refer_to_objects_that_exist() -> None:
    objects = k8s_objects()
    for name, spec in pod_specs():
        for volume in spec.get("volumes", []):
            if "persistentVolumeClaim" in volume:
                claim = volume["persistentVolumeClaim"]["claimName"]
                assert ("PersistentVolumeClaim", claim) in objects, f"{name}: claim {claim}"
        for c in spec["containers"]:
            for source in c.get("envFrom", []):
                if "configMapRef" in source:
                    assert ("ConfigMap", source["configMapRef"]["name"]) in objects, name
                if "secretRef" in source:
                    assert ("Secret", source["secretRef"]["name"]) in objects, name
            for variable in c.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in objects[("Secret", ref["name"])]["stringData"], name


def test_web_pods_probe_readyz_and_healthz_with_the_allowed_host() -> None:
    objects = k8s_objects()
    deployment = objects[("Deployment", "hub-web")]
    web = container("Deployment", "hub-web")
    assert deployment["spec"]["replicas"] >= 2
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["startupProbe"]["httpGet"]["path"] == "/healthz"
    ingress = objects[("Ingress", "hub")]
    (rule,) = ingress["spec"]["rules"]
    allowed = objects[("ConfigMap", "hub-config")]["data"]["HUB_ALLOWED_HOSTS"].split(",")
    assert rule["host"] in allowed
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        headers = {h["name"]: h["value"] for h in web[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] == rule["host"], f"{probe}: the hub answers 400 to hosts it does not know"
        assert web[probe]["httpGet"]["port"] == "http"
    assert {"name": "http", "containerPort": 8000} in web["ports"]


def test_web_pods_stop_gracefully() -> None:
    spec = k8s_objects()[("Deployment", "hub-web")]["spec"]
    web = container("Deployment", "hub-web")
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pre_stop = web["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    grace = spec["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace == 30
    assert int(pre_stop[1]) + GRACEFUL_SHUTDOWN < grace
    mounts = {m["mountPath"] for m in web["volumeMounts"]}
    assert "/var/lib/hub" in mounts
    annotations = spec["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == "8000"


def test_web_service_budget_and_ingress_select_the_web_pods() -> None:
    objects = k8s_objects()
    labels = objects[("Deployment", "hub-web")]["spec"]["template"]["metadata"]["labels"]
    service = objects[("Service", "hub-web")]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    budget = objects[("PodDisruptionBudget", "hub-web")]
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ingress = objects[("Ingress", "hub")]
    (rule,) = ingress["spec"]["rules"]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "hub-web"
    assert rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == upload_limit()
    assert annotations["nginx.ingress.kubernetes.io/proxy-next-upstream"] == "error timeout http_502 http_503"


def test_scheduler_pods() -> None:
    spec = k8s_objects()[("Deployment", "hub-scheduler")]["spec"]
    scheduler = container("Deployment", "hub-scheduler")
    assert 1 <= spec["replicas"] <= 2
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] >= SCHEDULER_STOP
    assert scheduler["command"] == ["hub", "scheduler"]
    assert {"name": "HUB_METRICS_PORT", "value": "9100"} in scheduler["env"]
    assert {"name": "metrics", "containerPort": 9100} in scheduler["ports"]
    assert scheduler["livenessProbe"]["tcpSocket"]["port"] == "metrics"
    annotations = spec["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9100"


def test_migration_job_and_backups() -> None:
    objects = k8s_objects()
    job = objects[("Job", "hub-migrate")]["spec"]["template"]["spec"]
    assert job["containers"][0]["command"] == ["hub", "migrate"]
    assert job["restartPolicy"] == "Never"
    # The Job is applied before the rest (deploy/README.md): what it reads must come with it.
    selector = "-l 'app.kubernetes.io/component in (config,migrate)'"
    assert selector in (DEPLOY / "README.md").read_text()
    assert (
        objects[("ConfigMap", "hub-config")]["metadata"]["labels"]["app.kubernetes.io/component"] == "config"
    )
    cron = objects[("CronJob", "hub-backup")]["spec"]
    assert cron["concurrencyPolicy"] == "Forbid"
    (backup,) = cron["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    script = backup["command"][-1]
    assert "pg_dump --format=custom" in script
    assert "-mtime" in script and "-delete" in script, "backups are kept for a while, not forever"
    assert {m["mountPath"] for m in backup["volumeMounts"]} >= {"/backups", "/var/lib/hub"}


# --- nginx --------------------------------------------------------------------------------------


def upload_limit() -> str:
    assert MAX_BODY_BYTES % 2**20 == 0
    return f"{MAX_BODY_BYTES // 2**20}m"


def upstream_block() -> str:
    match = re.search(r"^upstream hub_web \{\n(.*?)^\}", NGINX_CONF.read_text(), re.M | re.S)
    assert match, "hub.conf has no upstream hub_web"
    return match.group(1)


def nginx_directives() -> str:
    """hub.conf without comments."""
    return "\n".join(line.split("#")[0].rstrip() for line in NGINX_CONF.read_text().splitlines())


def test_nginx_upstream_is_the_systemd_web_processes() -> None:
    servers = re.findall(r"^\s*server (\S+) max_fails=1 fail_timeout=2s;", upstream_block(), re.M)
    assert servers == [f"127.0.0.1:{port}" for port in range(8001, 8005)]
    assert len(re.findall(r"^\s*server ", upstream_block(), re.M)) == 4
    assert re.search(r"^\s*keepalive 32;", upstream_block(), re.M)
    wanted = unit_values(SYSTEMD / "hub.target", "Unit", "Wants")
    ports = sorted(int(w.split("@")[1].split(".")[0]) for w in wanted if w.startswith("hub-web@"))
    assert [f"127.0.0.1:{port}" for port in ports] == servers, "hub.target starts what nginx expects"


def test_nginx_proxies_with_the_headers_and_limits_the_hub_needs() -> None:
    conf = nginx_directives()
    for directive in (
        "proxy_http_version 1.1;",
        'proxy_set_header Connection "";',
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-For $remote_addr;",  # the edge: what the client sent is dropped
        "proxy_next_upstream error timeout http_502 http_503;",
        f"client_max_body_size {upload_limit()};",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "ssl_certificate /etc/hub/tls/fullchain.pem;",
        "ssl_certificate_key /etc/hub/tls/privkey.pem;",
        "return 301 https://$host$request_uri;",
    ):
        assert directive in conf, directive
    assert "non_idempotent" not in conf, "a POST must never be sent to a second process"
    assert re.search(r"location = /metrics \{\s*deny all;\s*\}", conf)
    assert not re.search(r"^\s*include\b", conf, re.M), "hub.conf stands alone"
    assert re.findall(r"server_name (\S+);", conf) == [HOST, HOST]
    assert env_example()["HUB_ALLOWED_HOSTS"].split(",")[0] == HOST


def compose_variant(tmp_path: Path) -> Path:
    sed = shutil.which("sed")
    if sed is None:
        pytest.skip("sed is not installed")
    result = subprocess.run(
        [sed, "-f", str(DEPLOY / "nginx" / "compose.sed"), str(NGINX_CONF)],
        capture_output=True,
        text=True,
        check=True,
    )
    path = tmp_path / "compose-hub.conf"
    path.write_text(result.stdout)
    return path


def test_compose_variant_points_at_the_web_service(tmp_path: Path) -> None:
    conf = compose_variant(tmp_path).read_text()
    upstream = re.search(r"^upstream hub_web \{\n(.*?)^\}", conf, re.M | re.S)
    assert upstream
    assert re.findall(r"^\s*server (.+);", upstream.group(1), re.M) == [
        "web:8000 resolve max_fails=1 fail_timeout=2s"
    ]
    assert "zone hub_web 64k;" in upstream.group(1)
    assert re.search(r"^resolver 127\.0\.0\.11 ", conf, re.M)
    # Apart from the upstream's servers, its zone and the resolver, the two are the same.
    variant = [line for line in conf.splitlines() if not re.match(r"\s*(server web:|zone |resolver )", line)]
    local = [
        line
        for line in NGINX_CONF.read_text().splitlines()
        if not re.match(r"\s*(server 127\.|listen \[::\])", line)
    ]
    assert variant == local


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if nginx is None:
        if os.environ.get("HUB_TEST_REQUIRE_NGINX"):
            pytest.fail("HUB_TEST_REQUIRE_NGINX is set but nginx is not installed")
        pytest.skip(
            "nginx is not installed (apt-get install nginx) : `nginx -t` of deploy/nginx/hub.conf not run"
        )
    return nginx


def nginx_version(nginx: str) -> tuple[int, ...]:
    out = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out)
    assert match, out
    return tuple(int(part) for part in match.groups())


def nginx_test(nginx: str, conf: Path, tmp_path: Path) -> None:
    """``nginx -t`` of ``conf`` in the http context, with a test certificate and paths under tmp."""

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    tls = tmp_path / "tls"
    tls.mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tls / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tls / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    body = conf.read_text().replace("/etc/hub/tls", str(tls))
    body = body.replace("/var/cache/nginx/hub", str(tmp_path / "cache"))
    main = tmp_path / "nginx.conf"
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main.write_text(
        f"pid {tmp_path / 'nginx.pid'};\n"
        "error_log stderr;\n"
        "events {}\n"
        "http {\n"
        "    access_log off;\n"
        f"    client_body_temp_path {temp['body']};\n"
        f"    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n"
        f"    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n"
        f"{body}\n"
        "}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_accepts_hub_conf(tmp_path: Path) -> None:
    nginx_test(nginx_binary(), NGINX_CONF, tmp_path)


def test_nginx_accepts_the_compose_variant(tmp_path: Path) -> None:
    nginx = nginx_binary()
    if nginx_version(nginx) < (1, 27, 3):
        pytest.skip("upstream `server ... resolve` needs nginx 1.27.3 or later (compose runs nginx:stable)")
    conf = compose_variant(tmp_path)
    conf.write_text(conf.read_text().replace("web:8000", "localhost:8000"))
    nginx_test(nginx, conf, tmp_path)


# --- systemd ------------------------------------------------------------------------------------

HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ReadWritePaths": "/var/lib/hub",
    "PrivateTmp": "yes",
    "User": "hub",
    "EnvironmentFile": "/etc/hub/hub.env",
}


@pytest.mark.parametrize("name", ["hub-web@.service", "hub-scheduler@.service", "hub-migrate.service"])
def test_units_are_hardened(name: str) -> None:
    service = read_unit(SYSTEMD / name)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == value, f"{name}: {key}={value}"
    assert service["ExecStart"].startswith("/opt/hub/venv/bin/")


@pytest.mark.parametrize(("name", "stop"), [("hub-web@.service", 30), ("hub-scheduler@.service", 90)])
def test_long_running_units(name: str, stop: int) -> None:
    unit = read_unit(SYSTEMD / name)
    assert "hub-migrate.service" in unit["Unit"]["Requires"].split()
    assert "hub-migrate.service" in unit["Unit"]["After"].split()
    assert unit["Unit"]["PartOf"] == "hub.target"
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) == stop
    assert unit["Install"]["WantedBy"] == "hub.target"


def test_web_unit_listens_on_its_instance_port() -> None:
    service = read_unit(SYSTEMD / "hub-web@.service")["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0] == "/opt/hub/venv/bin/uvicorn"
    assert argv[argv.index("--port") + 1] == "%i"
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert int(service["TimeoutStopSec"]) > GRACEFUL_SHUTDOWN


def test_scheduler_unit_serves_metrics_on_its_instance_port() -> None:
    service = read_unit(SYSTEMD / "hub-scheduler@.service")["Service"]
    assert service["ExecStart"] == "/opt/hub/venv/bin/hub scheduler"
    assert service["Environment"] == "HUB_METRICS_PORT=%i"
    assert int(service["TimeoutStopSec"]) >= SCHEDULER_STOP


def test_migrate_unit_runs_once_per_start() -> None:
    service = read_unit(SYSTEMD / "hub-migrate.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["ExecStart"] == "/opt/hub/venv/bin/hub migrate"
    # RemainAfterExit=yes would make `systemctl restart hub-migrate` restart every unit that
    # Requires= it at once, and `systemctl start hub-migrate` a no-op during an upgrade.
    assert service.get("RemainAfterExit", "no") == "no"


def test_target_groups_the_processes() -> None:
    wanted = unit_values(SYSTEMD / "hub.target", "Unit", "Wants")
    assert {f"hub-web@{port}.service" for port in range(8001, 8005)} <= set(wanted)
    assert "hub-scheduler@9100.service" in wanted
    assert read_unit(SYSTEMD / "hub.target")["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units were only read, not verified")
    # The units as installed, but with this virtualenv (which has uvicorn and hub) as /opt/hub/venv.
    env_file = tmp_path / "hub.env"
    env_file.write_text("")
    for unit in SYSTEMD.iterdir():
        text = (
            unit.read_text().replace("/opt/hub/venv", sys.prefix).replace("/etc/hub/hub.env", str(env_file))
        )
        (tmp_path / unit.name).write_text(text)
    names = ["hub-web@8001.service", "hub-scheduler@9100.service", "hub-migrate.service", "hub.target"]
    result = subprocess.run(
        [analyze, "verify", "--man=no", *(f"./{name}" for name in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    about_ours = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if str(tmp_path) in line or "hub" in line
    ]
    assert result.returncode == 0 and not about_ours, result.stdout + result.stderr


# --- no secrets ---------------------------------------------------------------------------------

PLACEHOLDERS = {"change-me", "", "…", "..."}


def looks_random(token: str) -> bool:
    """A long string mixing upper- and lower-case letters and digits with high entropy (a key)."""
    if len(token) < 24:
        return False
    if not (re.search(r"[a-z]", token) and re.search(r"[A-Z]", token) and re.search(r"\d", token)):
        return False
    counts = Counter(token)
    entropy = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return entropy > 4.0


def secret_problems(text: str) -> list[str]:
    problems = []
    if re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----", text):
        problems.append("a private key")
    for name, value in re.findall(
        r"^\s*#?\s*([A-Z0-9_]*(?:SECRET|PASSWORD)[A-Z0-9_]*|[A-Z0-9_]*_(?:TOKEN|KEY))\s*[=:]\s*\"?([^\"\s]*)\"?\s*$",
        text,
        re.M,
    ):
        if value not in PLACEHOLDERS:
            problems.append(f"{name} = {value!r}")
    for password in re.findall(r"://[^:/\s@]+:([^@\s]+)@", text):
        if password not in PLACEHOLDERS:
            problems.append(f"a password in a URL: {password!r}")
    problems += [
        f"a random-looking string {t!r}"
        for t in re.findall(r"[A-Za-z0-9+/_=-]{24,}", text)
        if looks_random(t)
    ]
    problems += [f"a long hex string {t!r}" for t in re.findall(r"\b[0-9a-fA-F]{32,}\b", text)]
    return problems


@pytest.mark.parametrize("path", deploy_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_real_secrets(path: Path) -> None:
    assert not secret_problems(path.read_text()), f"{path.relative_to(ROOT)}: placeholders only"


def test_the_secret_check_finds_secrets() -> None:
    key = secrets.token_urlsafe(48)
    assert secret_problems(f"HUB_SECRET_KEY={key}")
    assert secret_problems(f'  HUB_METRICS_TOKEN: "{secrets.token_hex(4)}"')
    assert secret_problems("HUB_DATABASE_URL=postgresql+psycopg://hub:hunter2@db:5432/hub")
    assert secret_problems(f"some text {key} more text")
    assert secret_problems(secrets.token_hex(20))
    assert not secret_problems(
        "HUB_SECRET_KEY=change-me\nHUB_DATABASE_URL=postgresql+psycopg://hub:change-me@db/hub"
    )


# --- the README ---------------------------------------------------------------------------------


def test_readme_describes_every_file() -> None:
    readme = (DEPLOY / "README.md").read_text()
    for path in deploy_files():
        if path.name == "README.md":
            continue
        relative = str(path.relative_to(DEPLOY)) if DEPLOY in path.parents else f"../{path.name}"
        assert f"`{relative}`" in readme or f"({relative})" in readme, (
            f"deploy/README.md does not describe {relative}"
        )
    for section in (
        "## Backup and restore",
        "## Upgrading",
        "## Health checks",
        "## Logs and metrics",
        "## A network of hubs",
    ):
        assert section in readme
    for command in ("pg_dump --format=custom", "pg_restore --clean --if-exists"):
        assert command in readme
