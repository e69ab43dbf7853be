"""Validates rendered Kubernetes manifests: built-in kinds with kubernetes-validate --strict
(offline schemas), custom resources against the JSON schemas in k8s/schemas/. Exits non-zero
on the first file with a problem, naming the resource."""
import json
import pathlib
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CUSTOM = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "prometheusrule",
    ("keda.sh/v1alpha1", "ScaledObject"): "scaledobject",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "triggerauthentication",
    ("postgresql.cnpg.io/v1", "Cluster"): "cluster",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "scheduledbackup",
    ("postgresql.cnpg.io/v1", "Pooler"): "pooler",
    ("argoproj.io/v1alpha1", "Application"): "application",
    ("argoproj.io/v1alpha1", "AppProject"): "appproject",
}


def is_custom(api_version: str) -> bool:
    """Built-in groups are the core group and *.k8s.io; anything else with a dot is a CRD's."""
    group = api_version.split("/")[0] if "/" in api_version else ""
    return "." in group and not group.endswith(".k8s.io")


def validate(path: pathlib.Path, kubernetes_validate: str) -> list[str]:
    problems = []
    builtin = []
    for document in yaml.safe_load_all(path.read_text()):
        if not document:
            continue
        key = (document.get("apiVersion"), document.get("kind"))
        name = f"{key[1]}/{document.get('metadata', {}).get('name')}"
        if key in CUSTOM:
            schema = json.loads((ROOT / "k8s/schemas" / f"{CUSTOM[key]}.json").read_text())
            for error in jsonschema.Draft202012Validator(schema).iter_errors(document):
                where = "/".join(str(part) for part in error.absolute_path)
                problems.append(f"{path}: {name}: {where}: {error.message}")
        elif is_custom(key[0] or ""):
            problems.append(f"{path}: {name}: custom resource {key} has no schema in k8s/schemas")
        else:
            builtin.append(document)
    if builtin:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as handle:
            yaml.safe_dump_all(builtin, handle)
            handle.flush()
            result = subprocess.run(
                [kubernetes_validate, "--strict", "--quiet", "--no-warn", handle.name],
                capture_output=True, text=True)
            if result.returncode != 0:
                problems.append(f"{path}: built-in kinds: {result.stdout.strip()} {result.stderr.strip()}")
    return problems


def main() -> int:
    kubernetes_validate = sys.argv[1]
    problems = []
    for name in sys.argv[2:]:
        problems += validate(pathlib.Path(name), kubernetes_validate)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
