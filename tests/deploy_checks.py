"""Static checks of the deployment files (no Docker engine runs here): the Dockerfile, docker
compose and .env.example. Each `*_problems` function lists what is wrong with one kind of
file, in words that name the file and the fault; Kubernetes is in tests/k8s_checks.py."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sophia.core.config import Settings
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
# Kept out of images, compose `environment` and k8s ConfigMaps (REDIS_URL and
# EXPORT_DATABASE_URL may carry a password).
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
        "EXPORT_DATABASE_URL",
        "SALESFORCE_CLIENT_SECRET",
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
