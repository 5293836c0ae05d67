"""Static checks of the Kubernetes manifests in deploy/k8s: probes, resources, no inline
secrets, and a topology that runs the scheduler once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.deploy_checks import HEALTH, K8S, KNOWN, READY, secret_looking


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
