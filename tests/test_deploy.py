"""The deployment files, checked statically: no Docker engine or cluster runs here.

Each `*_problems` function lists what is wrong with one kind of file, in words that name the
file and the fault. The real files must have none, and a broken copy of each must be caught,
so that no check passes by looking at nothing.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr

from sophia.core.config import Settings, load_settings
from tests.conftest import ROOT
from tests.fakes.weaviate_server import VERSION as WEAVIATE_VERSION

DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
COMPOSE_WEAVIATE_TEST = ROOT / "deploy" / "docker-compose.weaviate-test.yml"
K8S = ROOT / "deploy" / "k8s"
ENV_EXAMPLE = ROOT / ".env.example"
SLACK_MANIFEST = ROOT / "manifest.yaml"

HEALTH, READY = "/api/gong/health", "/api/gong/ready"
SETTINGS = frozenset(name.upper() for name in Settings.model_fields)
# Kept out of images, compose `environment` and k8s ConfigMaps (REDIS_URL may carry a password).
SECRETS = frozenset(
    {
        "GONG_ACCESS_KEY",
        "GONG_ACCESS_SECRET",
        "OPENAI_API_KEY",
        "WEAVIATE_API_KEY",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SOPHIA_API_KEYS",
        "REDIS_URL",
    }
)
# Variables the deployment files set that are not Sophia's settings, and why.
NOT_SOPHIA = {
    "PATH": "the virtualenv's bin first",
    "PYTHONUNBUFFERED": "log lines leave the container as they are written",
    "PYTHONDONTWRITEBYTECODE": "nothing written beside the code (read-only root filesystem)",
    "HF_HUB_OFFLINE": "a guard: the model is in the image, nothing may be fetched",
    "TRANSFORMERS_OFFLINE": "the same guard for transformers",
    "PIP_DISABLE_PIP_VERSION_CHECK": "builder stage: pip does not look for a newer pip",
    "PIP_NO_CACHE_DIR": "builder stage: no wheel cache left in a layer",
}
KNOWN = SETTINGS | NOT_SOPHIA.keys()


def secret_looking(name: str) -> bool:
    return name in SECRETS or re.search(r"KEY|SECRET|TOKEN|PASSWORD", name) is not None


# --- Dockerfile ------------------------------------------------------------------------------


def dockerfile_stages(text: str) -> list[list[tuple[str, str]]]:
    """(instruction, arguments) per build stage, with comments and line continuations resolved."""
    kept = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    stages: list[list[tuple[str, str]]] = []
    for line in re.sub(r"\\\n", " ", kept).splitlines():
        keyword, _, args = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        if keyword and stages:
            stages[-1].append((keyword.upper(), args.strip()))
    return stages


def env_assignments(args: str) -> dict[str, str]:
    """The variables of one ENV instruction (`K=V K2=V2`, or the old `K V`)."""
    tokens = shlex.split(args)
    if "=" not in tokens[0]:
        return {tokens[0]: " ".join(tokens[1:])}
    return {name: value for name, _, value in (token.partition("=") for token in tokens)}


def dockerfile_env(text: str) -> dict[str, str]:
    """What the runtime (last) stage sets with ENV."""
    env: dict[str, str] = {}
    for keyword, args in dockerfile_stages(text)[-1]:
        if keyword == "ENV":
            env.update(env_assignments(args))
    return env


def dockerfile_user(text: str) -> str:
    users = [args for keyword, args in dockerfile_stages(text)[-1] if keyword == "USER"]
    return users[-1].split(":")[0] if users else ""


def dockerfile_problems(text: str) -> list[str]:
    stages = dockerfile_stages(text)
    if len(stages) < 2:
        return [
            "Dockerfile: one stage; build the venv in a builder stage, copy it to a runtime one"
        ]
    problems = []
    for stage in stages:
        for keyword, args in stage:
            if keyword == "ENV":
                for name in env_assignments(args).keys() - KNOWN:
                    problems.append(f"Dockerfile: ENV {name} is not a Sophia setting")
            if keyword == "RUN" and re.search(r"\b(uv|poetry)\b", args):
                problems.append("Dockerfile: install with pip (uv and poetry pick a CUDA torch)")
    final = stages[-1]
    runs = [args for keyword, args in final if keyword == "RUN"]
    if not any(keyword == "COPY" and "--from=" in args for keyword, args in final):
        problems.append("Dockerfile: the runtime stage copies nothing from the builder stage")
    user = dockerfile_user(text)
    if user in ("", "root", "0"):
        problems.append("Dockerfile: the runtime stage runs as root (no USER, or USER root)")
    elif not user.isdigit():
        problems.append(f"Dockerfile: USER {user} is not numeric; runAsNonRoot cannot verify it")
    checks = [args for keyword, args in final if keyword == "HEALTHCHECK"]
    if not checks or HEALTH not in checks[-1]:
        problems.append(f"Dockerfile: no HEALTHCHECK on {HEALTH}")
    elif "curl" in checks[-1] or "wget" in checks[-1]:
        problems.append("Dockerfile: the HEALTHCHECK needs curl/wget, which slim images lack")
    commands = [args for keyword, args in final if keyword == "CMD"]
    command = json.loads(commands[-1]) if commands and commands[-1].startswith("[") else None
    if not command or command[:2] != ["sophia", "run"]:
        problems.append(f"Dockerfile: CMD does not start `sophia run` (it is {commands[-1:]})")
    if not any(keyword == "EXPOSE" and "8000" in args.split() for keyword, args in final):
        problems.append("Dockerfile: port 8000 is not EXPOSEd")
    env = dockerfile_env(text)
    if env.get("API_HOST") != "0.0.0.0":
        problems.append("Dockerfile: API_HOST is not 0.0.0.0; the API is unreachable from outside")
    data_dir = env.get("SOPHIA_DATA_DIR", "")
    volumes = [
        path
        for keyword, args in final
        if keyword == "VOLUME"
        for path in (json.loads(args) if args.startswith("[") else args.split())
    ]
    if not data_dir or data_dir not in volumes:
        problems.append(f"Dockerfile: the data dir {data_dir!r} is not a VOLUME")
    before_volume = final[: next((i for i, (k, _) in enumerate(final) if k == "VOLUME"), 0)]
    if not any(k == "RUN" and "chown" in a and data_dir in a for k, a in before_volume):
        problems.append("Dockerfile: the data dir is not chowned to the user before VOLUME")
    if env.get("HF_HUB_OFFLINE") != "1" or not any("LocalEmbedder" in args for args in runs):
        problems.append("Dockerfile: no build step proves the local model loads offline")
    return problems


# --- docker compose ---------------------------------------------------------------------------


def compose_environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.partition("=")[::2] for item in env)
    return {name: str(value) for name, value in env.items()}


def image_tag(image: str) -> str:
    """The tag of `${VAR:-repo/name:tag}` or `repo/name:tag`."""
    return re.sub(r"^\$\{[^:]+:-(.*)\}$", r"\1", image).rpartition(":")[2]


def compose_problems(doc: dict[str, Any], folder: Path) -> list[str]:
    services: dict[str, Any] = doc.get("services") or {}
    missing = [name for name in ("sophia", "weaviate", "redis") if name not in services]
    if missing:
        return [f"compose: no {name} service" for name in missing]
    problems = []
    declared = set(doc.get("volumes") or {})
    for name, service in services.items():
        test = (service.get("healthcheck") or {}).get("test")
        if not test or test == ["NONE"]:
            problems.append(f"compose: {name} has no healthcheck")
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
            if source not in declared:
                problems.append(f"compose: {name} mounts {source}, not a declared named volume")
    if image_tag(services["weaviate"]["image"]) != WEAVIATE_VERSION:
        problems.append(f"compose: weaviate is not {WEAVIATE_VERSION}, the version the fake claims")
    sophia = services["sophia"]
    if (folder / sophia["build"]["context"]).resolve() != ROOT:
        problems.append("compose: sophia is not built from the repository's Dockerfile")
    if HEALTH not in json.dumps(sophia.get("healthcheck")):
        problems.append(f"compose: sophia's healthcheck does not ask {HEALTH}")
    env_files = [f if isinstance(f, str) else f["path"] for f in sophia.get("env_file") or []]
    if ROOT / ".env" not in {(folder / f).resolve() for f in env_files}:
        problems.append("compose: sophia does not read its secrets from the repository's .env")
    env = compose_environment(sophia)
    for name in env.keys() - KNOWN:
        problems.append(f"compose: sophia sets {name}, which is not a Sophia setting")
    for name in env.keys() & SECRETS:
        # The wiring to the compose Redis names no password; any other secret is in .env.
        if name != "REDIS_URL" or urlsplit(env[name]).password is not None:
            problems.append(f"compose: {name} is set inline; secrets belong in .env")
    if env.get("API_HOST") != "0.0.0.0":
        problems.append("compose: sophia's API_HOST is not 0.0.0.0")
    for name in ("WEAVIATE_ENDPOINT", "REDIS_URL"):
        if urlsplit(env.get(name, "")).hostname not in services:
            problems.append(f"compose: {name} does not point at a compose service")
    depends = sophia.get("depends_on") or {}
    for name in services.keys() - {"sophia"}:
        if not isinstance(depends, dict) or depends.get(name, {}).get("condition") != (
            "service_healthy"
        ):
            problems.append(f"compose: sophia does not wait for {name} to be healthy")
    return problems


# --- Kubernetes --------------------------------------------------------------------------------


def k8s_documents(folder: Path = K8S) -> list[dict[str, Any]]:
    """The objects `kubectl apply -k` would apply: the resources the kustomization lists."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    docs = []
    for name in kustomization["resources"]:
        docs.extend(doc for doc in yaml.safe_load_all((folder / name).read_text()) if doc)
    return docs


def containers(deployment: dict[str, Any]) -> Iterator[dict[str, Any]]:
    pod = deployment["spec"]["template"]["spec"]
    yield from pod.get("initContainers") or []
    yield from pod["containers"]


def command_of(container: dict[str, Any]) -> list[str]:
    return [*(container.get("command") or []), *(container.get("args") or [])]


def runs_scheduler(deployment: dict[str, Any]) -> bool:
    return "--no-scheduler" not in command_of(
        deployment["spec"]["template"]["spec"]["containers"][0]
    )


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and selector.items() <= labels.items()


def k8s_problems(docs: list[dict[str, Any]], image_user: str) -> list[str]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    problems = [
        f"k8s: Secret {secret['metadata']['name']} holds values in git"
        for secret in by_kind.get("Secret", [])
        if secret.get("data") or secret.get("stringData")
    ]
    config: dict[str, Any] = {}
    for config_map in by_kind.get("ConfigMap", []):
        problems += config_map_problems(config_map.get("data") or {})
        config.update(config_map.get("data") or {})
    names = {(doc["kind"], doc["metadata"]["name"]) for doc in docs}
    for deployment in by_kind.get("Deployment", []):
        problems += deployment_problems(deployment, config, names, image_user)
    return problems + topology_problems(by_kind, names, config)


def config_map_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    for key, value in data.items():
        if key not in KNOWN:
            problems.append(f"k8s: ConfigMap key {key} is not a Sophia setting")
        if secret_looking(key):
            problems.append(f"k8s: ConfigMap holds {key}; secrets belong in the Secret")
        if not isinstance(value, str):
            problems.append(f"k8s: ConfigMap {key} is not a string (quote it)")
    return problems


def deployment_problems(
    deployment: dict[str, Any], config: dict[str, Any], names: set[tuple[str, str]], user: str
) -> list[str]:
    name, template = deployment["metadata"]["name"], deployment["spec"]["template"]
    pod, problems = template["spec"], []
    if not selects(deployment["spec"]["selector"]["matchLabels"], template["metadata"]["labels"]):
        problems.append(f"k8s: {name}'s selector does not match its pods")
    if str(pod.get("securityContext", {}).get("runAsUser")) != user:
        problems.append(f"k8s: {name} does not run as the image's user {user}")
    port, data_dir = int(config.get("API_PORT", 8000)), config.get("SOPHIA_DATA_DIR")
    for container in containers(deployment):
        where = f"k8s: {name}/{container['name']}"
        security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
        if security.get("runAsNonRoot") is not True:
            problems.append(f"{where} lacks runAsNonRoot")
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where} allows privilege escalation")
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
        for probe, path in (("livenessProbe", HEALTH), ("readinessProbe", READY)):
            get = (container.get(probe) or {}).get("httpGet") or {}
            if get.get("path") != path or ports.get(get.get("port"), get.get("port")) != port:
                problems.append(f"{where} has no {probe} on {path} at port {port}")
        resources = container.get("resources") or {}
        for bound in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(bound) or {}):
                problems.append(f"{where} has no cpu and memory {bound}")
        env = container.get("env") or []
        for item in env:
            if item["name"] not in KNOWN:
                problems.append(f"{where} sets {item['name']}, which is not a Sophia setting")
            if secret_looking(item["name"]) and "value" in item:
                problems.append(f"{where} sets {item['name']} inline; use a secretKeyRef")
        sources = container.get("envFrom") or []
        for ref in (source["configMapRef"] for source in sources if "configMapRef" in source):
            if ("ConfigMap", ref["name"]) not in names:
                problems.append(f"{where} reads a ConfigMap that is not in the folder")
        if not any("secretRef" in source for source in sources) and not any(
            "secretKeyRef" in (item.get("valueFrom") or {}) for item in env
        ):
            problems.append(f"{where} reads no Secret")
        if command_of(container)[:2] != ["sophia", "run"]:
            problems.append(f"{where} does not run `sophia run`")
        mounts = {m["mountPath"] for m in container.get("volumeMounts") or []}
        if data_dir not in mounts:
            problems.append(f"{where} mounts no volume at SOPHIA_DATA_DIR {data_dir}")
        if security.get("readOnlyRootFilesystem") and "/tmp" not in mounts:
            problems.append(f"{where} has a read-only root filesystem and no /tmp")
    return problems


def topology_problems(
    by_kind: dict[str, list[dict[str, Any]]], names: set[tuple[str, str]], config: dict[str, Any]
) -> list[str]:
    """One scheduler, web pods behind the Service, every reference resolved."""
    deployments = by_kind.get("Deployment", [])
    schedulers = [d for d in deployments if runs_scheduler(d)]
    problems = []
    if len(schedulers) != 1:
        problems.append(f"k8s: {len(schedulers)} Deployments run the scheduler; exactly one must")
    if len(schedulers) == len(deployments):
        problems.append("k8s: no Deployment runs `sophia run --no-scheduler` for the API and bot")
    hpas = by_kind.get("HorizontalPodAutoscaler", [])
    for scheduler in schedulers:
        name, spec = scheduler["metadata"]["name"], scheduler["spec"]
        pod = spec["template"]["spec"]
        if spec.get("replicas") != 1:
            problems.append(f"k8s: scheduler {name} has replicas {spec.get('replicas')}, not 1")
        if (spec.get("strategy") or {}).get("type") != "Recreate":
            problems.append(f"k8s: scheduler {name} does not use strategy Recreate")
        if "--no-bot" not in command_of(pod["containers"][0]):
            problems.append(f"k8s: scheduler {name} does not run with --no-bot")
        data = {
            m["name"]
            for m in pod["containers"][0].get("volumeMounts") or []
            if m["mountPath"] == config.get("SOPHIA_DATA_DIR")
        }
        volumes = [v for v in pod.get("volumes") or [] if v["name"] in data]
        if not any("persistentVolumeClaim" in v for v in volumes):
            problems.append(f"k8s: scheduler {name} keeps its sync state on no PersistentVolume")
        problems += [
            f"k8s: HPA {hpa['metadata']['name']} scales the scheduler"
            for hpa in hpas
            if hpa["spec"]["scaleTargetRef"]["name"] == name
        ]
    pods = [d["spec"]["template"]["metadata"]["labels"] for d in deployments]
    for service in by_kind.get("Service", []):
        selector, name = service["spec"].get("selector") or {}, service["metadata"]["name"]
        if any(selects(selector, d["spec"]["template"]["metadata"]["labels"]) for d in schedulers):
            problems.append(f"k8s: Service {name} selects the scheduler's pods")
        if not any(selects(selector, labels) for labels in pods):
            problems.append(f"k8s: Service {name} selects no pods")
    for ingress in by_kind.get("Ingress", []):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]["name"]
                if ("Service", backend) not in names:
                    problems.append(f"k8s: Ingress routes to a missing Service {backend}")
    for hpa in hpas:
        if ("Deployment", hpa["spec"]["scaleTargetRef"]["name"]) not in names:
            problems.append(f"k8s: HPA {hpa['metadata']['name']} scales a missing Deployment")
    return problems


# --- .env.example ------------------------------------------------------------------------------


def env_example_lines(text: str) -> list[tuple[str, str]]:
    """(name, value) of every `NAME=value` line, commented out or not."""
    found = re.findall(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", text, re.MULTILINE)
    return [(name, value) for name, value in found]


def env_example_problems(text: str) -> list[str]:
    lines = env_example_lines(text)
    names = [name for name, _ in lines]
    problems = [f".env.example: {name} is not listed" for name in sorted(SETTINGS - set(names))]
    problems += [f".env.example: {name} is not a setting" for name in sorted(set(names) - SETTINGS)]
    problems += [
        f".env.example: {name} is listed {names.count(name)} times"
        for name in sorted(set(names))
        if names.count(name) > 1
    ]
    for name, value in lines:
        if value.startswith(('"', "'")):
            problems.append(f".env.example: {name} is quoted; kubectl would keep the quotes")
    return problems


# --- the real files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return DOCKERFILE.read_text()


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return doc


@pytest.fixture(scope="module")
def k8s() -> list[dict[str, Any]]:
    return k8s_documents()


def test_every_deployment_yaml_parses() -> None:
    paths = [COMPOSE, COMPOSE_WEAVIATE_TEST, *sorted(K8S.glob("*.yaml"))]
    if SLACK_MANIFEST.exists():
        paths.append(SLACK_MANIFEST)
    for path in paths:
        docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        assert docs and all(isinstance(doc, dict) for doc in docs), f"{path.name}: no mapping"


def test_the_dockerfile_is_multi_stage_non_root_and_starts_sophia_run(dockerfile: str) -> None:
    assert dockerfile_problems(dockerfile) == []


def test_the_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    missing = {".env", ".git", ".venv", "data"} - set(ignored)
    assert not missing, f".dockerignore lets {sorted(missing)} into the build context"


def test_compose_runs_sophia_weaviate_and_redis_gated_on_health(compose: dict[str, Any]) -> None:
    assert compose_problems(compose, COMPOSE.parent) == []


def test_the_weaviate_test_compose_pins_the_version_the_fake_claims() -> None:
    doc = yaml.safe_load(COMPOSE_WEAVIATE_TEST.read_text())
    assert image_tag(doc["services"]["weaviate"]["image"]) == WEAVIATE_VERSION


def test_the_kubernetes_manifests_have_probes_resources_and_no_inline_secrets(
    k8s: list[dict[str, Any]], dockerfile: str
) -> None:
    assert k8s_problems(k8s, dockerfile_user(dockerfile)) == []


def test_kustomization_lists_every_manifest_in_the_folder() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_env_example_lists_every_setting_once() -> None:
    assert env_example_problems(ENV_EXAMPLE.read_text()) == []


def test_env_example_values_are_valid_settings(tmp_path: Path) -> None:
    text = ENV_EXAMPLE.read_text()
    load_settings(_env_file=ENV_EXAMPLE)  # as shipped: whatever is not commented out is valid
    # Uncommented, every default or example shown is a value Settings accepts.
    uncommented = tmp_path / "uncommented.env"
    uncommented.write_text(re.sub(r"^#\s*([A-Z][A-Z0-9_]*=)", r"\1", text, flags=re.MULTILINE))
    settings = load_settings(_env_file=uncommented)
    shown = dict(env_example_lines(text))
    assert settings.brief_cron == shown["BRIEF_CRON"] and settings.gong_configured


def test_the_secret_list_covers_every_secret_setting() -> None:
    secret_fields = {
        name.upper()
        for name, field in Settings.model_fields.items()
        if SecretStr in getattr(field.annotation, "__args__", (field.annotation,))
    }
    assert secret_fields | {"REDIS_URL"} == SECRETS


@pytest.mark.parametrize(
    "source",
    ["Dockerfile", "compose", "k8s ConfigMap"],
)
def test_the_settings_the_deployment_files_set_are_valid(
    source: str,
    monkeypatch: pytest.MonkeyPatch,
    dockerfile: str,
    compose: dict[str, Any],
    k8s: list[dict[str, Any]],
) -> None:
    values = {
        "Dockerfile": dockerfile_env(dockerfile),
        "compose": compose_environment(compose["services"]["sophia"]),
        "k8s ConfigMap": {
            key: value
            for doc in k8s
            if doc["kind"] == "ConfigMap"
            for key, value in doc["data"].items()
        },
    }[source]
    for name, value in values.items():
        if name in SETTINGS:
            monkeypatch.setenv(name, str(value))
    settings = load_settings(_env_file=None)
    assert settings.api_host == "0.0.0.0" and settings.api_port == 8000


def test_the_flags_given_to_sophia_run_are_flags_it_has(
    dockerfile: str, k8s: list[dict[str, Any]]
) -> None:
    from typer.main import get_command

    from sophia.cli.main import app

    run = get_command(app).commands["run"]  # type: ignore[attr-defined]
    known = {opt for param in run.params for opt in (*param.opts, *param.secondary_opts)}
    commands = [json.loads(args) for k, args in dockerfile_stages(dockerfile)[-1] if k == "CMD"]
    commands += [
        command_of(container)
        for doc in k8s
        if doc["kind"] == "Deployment"
        for container in containers(doc)
    ]
    used = {arg for command in commands for arg in command[2:] if arg.startswith("-")}
    assert used and used <= known, f"`sophia run` has no {sorted(used - known)}"


# --- every check can fail ----------------------------------------------------------------------

Mutation = Callable[[Any], Any]


def _replace(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, f"the mutation expects {old!r} in the file"
        return text.replace(old, new)

    return mutate


def _drop_lines(prefix: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        kept = [line for line in text.splitlines() if not line.startswith(prefix)]
        assert len(kept) < len(text.splitlines()), f"no line starts with {prefix!r}"
        return "\n".join(kept)

    return mutate


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda t: "FROM python:3.11-slim\n" + t.split(" AS runtime", 1)[1], "one stage"),
        (_replace("USER 10001:10001", "USER root"), "runs as root"),
        (_replace("USER 10001:10001", "USER sophia"), "not numeric"),
        (_replace('CMD ["sophia", "run"]', 'CMD ["uvicorn", "api:app"]'), "CMD does not start"),
        (_drop_lines("HEALTHCHECK"), "no HEALTHCHECK"),
        (_replace("API_PORT=8000", "API_PORT=8000 GONG_KEY=x"), "ENV GONG_KEY is not"),
        (_replace("API_HOST=0.0.0.0", "API_HOST=127.0.0.1"), "API_HOST is not 0.0.0.0"),
        (_replace('VOLUME ["/data"]', 'VOLUME ["/var/data"]'), "is not a VOLUME"),
        (_replace("chown sophia:sophia /data", "true"), "not chowned"),
        (_replace("HF_HUB_OFFLINE=1", "HF_HUB_OFFLINE=0"), "loads offline"),
        (_replace("EXPOSE 8000", "EXPOSE 8080"), "not EXPOSEd"),
    ],
)
def test_a_broken_dockerfile_is_caught(dockerfile: str, mutate: Mutation, problem: str) -> None:
    problems = dockerfile_problems(mutate(dockerfile))
    assert any(problem in p for p in problems), problems


def _service(name: str, change: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(doc: dict[str, Any]) -> dict[str, Any]:
        change(doc["services"][name])
        return doc

    return mutate


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (_service("sophia", lambda s: s["environment"].update(OPENAI_API_KEY="sk-1")), "inline"),
        (
            _service("sophia", lambda s: s["environment"].update(REDIS_URL="redis://:pw@redis")),
            "REDIS_URL is set inline",
        ),
        (_service("sophia", lambda s: s["environment"].update(DATA_DIR="/d")), "DATA_DIR, which"),
        (_service("sophia", lambda s: s["environment"].update(API_HOST="127.0.0.1")), "API_HOST"),
        (
            _service("sophia", lambda s: s["depends_on"]["redis"].update(condition="started")),
            "wait for redis",
        ),
        (_service("weaviate", lambda s: s.pop("healthcheck")), "weaviate has no healthcheck"),
        (_service("sophia", lambda s: s.update(volumes=["./data:/data"])), "./data, not a"),
        (_service("weaviate", lambda s: s.update(image="weaviate:1.0.0")), "the fake claims"),
        (_service("sophia", lambda s: s.pop("env_file")), "repository's .env"),
        (_service("sophia", lambda s: s["healthcheck"].update(test=["CMD", "true"])), HEALTH),
        (lambda doc: doc["services"].pop("redis") and doc, "no redis service"),
    ],
)
def test_a_broken_compose_file_is_caught(
    compose: dict[str, Any], mutate: Mutation, problem: str
) -> None:
    problems = compose_problems(mutate(copy.deepcopy(compose)), COMPOSE.parent)
    assert any(problem in p for p in problems), problems


def _deployment(name: str, change: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        matches = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == name]
        assert matches, f"no Deployment {name}"
        change(matches[0])
        return docs

    return mutate


def _main(deployment: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return container


def _config(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        change(next(d for d in docs if d["kind"] == "ConfigMap")["data"])
        return docs

    return mutate


def _data_on_empty_dir(deployment: dict[str, Any]) -> None:
    for volume in deployment["spec"]["template"]["spec"]["volumes"]:
        if volume.pop("persistentVolumeClaim", None) is not None:
            volume["emptyDir"] = {}


SECRET_WITH_DATA = {"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"A": "b"}}


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (_deployment("sophia-web", lambda d: _main(d).pop("readinessProbe")), "readinessProbe"),
        (
            _deployment(
                "sophia-web", lambda d: _main(d)["livenessProbe"]["httpGet"].update(path="/")
            ),
            "livenessProbe on /api/gong/health",
        ),
        (_deployment("sophia-web", lambda d: _main(d)["resources"].pop("limits")), "limits"),
        (
            _deployment(
                "sophia-web",
                lambda d: (
                    _main(d)
                    .setdefault("env", [])
                    .append({"name": "OPENAI_API_KEY", "value": "sk-1"})
                ),
            ),
            "OPENAI_API_KEY inline",
        ),
        (
            _deployment("sophia-web", lambda d: _main(d).pop("envFrom")),
            "reads no Secret",
        ),
        (
            _deployment(
                "sophia-web", lambda d: d["spec"]["template"]["spec"]["securityContext"].clear()
            ),
            "lacks runAsNonRoot",
        ),
        (
            _deployment("sophia-web", lambda d: _main(d).update(args=["sophia", "run"])),
            "2 Deployments run the scheduler",
        ),
        (_deployment("sophia-scheduler", lambda d: d["spec"].update(replicas=2)), "replicas 2"),
        (
            _deployment("sophia-scheduler", lambda d: d["spec"].update(strategy={})),
            "strategy Recreate",
        ),
        (
            _deployment("sophia-scheduler", lambda d: _main(d).update(args=["sophia", "run"])),
            "--no-bot",
        ),
        (
            _deployment("sophia-scheduler", lambda d: _main(d).pop("volumeMounts")),
            "mounts no volume at SOPHIA_DATA_DIR",
        ),
        (
            _deployment("sophia-scheduler", _data_on_empty_dir),
            "no PersistentVolume",
        ),
        (
            lambda docs: [
                {**d, "spec": {**d["spec"], "scaleTargetRef": {"name": "sophia-scheduler"}}}
                if d["kind"] == "HorizontalPodAutoscaler"
                else d
                for d in docs
            ],
            "scales the scheduler",
        ),
        (lambda docs: [*docs, SECRET_WITH_DATA], "Secret s holds values"),
        (_config(lambda data: data.update(API_PORT=8000)), "API_PORT is not a string"),
        (_config(lambda data: data.update(SLACK_BOT_TOKEN="xoxb-1")), "ConfigMap holds SLACK"),
        (_config(lambda data: data.update(SOPHIA_PORT="1")), "SOPHIA_PORT is not a"),
        (
            lambda docs: [
                {**d, "spec": {**d["spec"], "selector": {"app.kubernetes.io/name": "sophia"}}}
                if d["kind"] == "Service"
                else d
                for d in docs
            ],
            "selects the scheduler's pods",
        ),
    ],
)
def test_a_broken_manifest_is_caught(
    k8s: list[dict[str, Any]], dockerfile: str, mutate: Mutation, problem: str
) -> None:
    problems = k8s_problems(mutate(copy.deepcopy(k8s)), dockerfile_user(dockerfile))
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (_drop_lines("# REDIS_URL="), "REDIS_URL is not listed"),
        (lambda t: t + "# SEARCH_LIMIT=7\n", "SEARCH_LIMIT is listed 2 times"),
        (lambda t: t + "# SOPHIA_COLOUR=blue\n", "SOPHIA_COLOUR is not a setting"),
        (_replace("# LOG_LEVEL=INFO", '# LOG_LEVEL="INFO"'), "LOG_LEVEL is quoted"),
    ],
)
def test_a_broken_env_example_is_caught(mutate: Callable[[str], str], problem: str) -> None:
    problems = env_example_problems(mutate(ENV_EXAMPLE.read_text()))
    assert any(problem in p for p in problems), problems
