"""Every deployment check can fail: a broken copy of each real file (Dockerfile, compose,
Kubernetes manifests, .env.example) is caught, so that no check passes by looking at nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.deploy_checks import (
    COMPOSE,
    ENV_EXAMPLE,
    HEALTH,
    compose_problems,
    dockerfile_problems,
    dockerfile_user,
    env_example_problems,
)
from tests.k8s_checks import k8s_problems

pytest_plugins = ["tests.fakes.deploy_fixtures"]


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
