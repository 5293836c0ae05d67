"""The deployment files, checked statically: no Docker engine or cluster runs here.

Each `*_problems` function (tests/deploy_checks.py, tests/k8s_checks.py) lists what is wrong
with one kind of file, in words that name the file and the fault. The real files must have
none; test_deploy_mutations.py shows that a broken copy of each is caught, so that no check
passes by looking at nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from sophia.core.config import Settings, load_settings
from tests.conftest import ROOT
from tests.deploy_checks import (
    COMPOSE,
    COMPOSE_WEAVIATE_TEST,
    ENV_EXAMPLE,
    K8S,
    SECRETS,
    SETTINGS,
    SLACK_MANIFEST,
    compose_environment,
    compose_problems,
    dockerfile_env,
    dockerfile_problems,
    dockerfile_stages,
    dockerfile_user,
    env_example_lines,
    env_example_problems,
    image_tag,
)
from tests.fakes.weaviate_server import VERSION as WEAVIATE_VERSION
from tests.k8s_checks import command_of, containers, k8s_problems

pytest_plugins = ["tests.fakes.deploy_fixtures"]


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
