#!/usr/bin/env bash
# Static checks of everything that deploys or watches tracker: every kustomization renders and
# validates (built-in kinds strictly, custom resources against k8s/schemas), broken manifests are
# refused, ArgoCD's projects allow exactly what the Applications render (infra/scripts/check-argocd.py),
# prod's roles reach PostgreSQL the way their statements allow (infra/scripts/check-connections.py),
# alert rules check and pass their unit tests, every dashboard query parses, every alert
# has a runbook entry, workflows pass actionlint, YAML passes yamllint, the Compose file and the
# Dockerfile pass their linters. infra/scripts/test.sh adds the live checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/scripts/tools.sh
source infra/scripts/tools.sh

venv=$(tools_venv)
ensure_command promtool prometheus
ensure_command docker-compose docker-compose
ensure_command dot graphviz
command -v kubectl >/dev/null || { echo "kubectl (with kustomize) is needed to render k8s/" >&2; exit 1; }
work=$(mktemp -d /tmp/tracker-deploy-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "   kustomize: render every kustomization (secret files from the examples)"
cp -r k8s "$work/k8s"
for example in "$work"/k8s/overlays/*/database/*.env.example; do
  [ -f "${example%.example}" ] || cp "$example" "${example%.example}"
done
for dir in overlays/dev overlays/dev/database overlays/prod overlays/prod/database argocd projects; do
  kubectl kustomize "$work/k8s/$dir" >"$work/render-${dir//\//-}.yaml"
done

echo "   manifests: kubernetes-validate --strict and the custom-resource schemas"
"$venv/bin/python" infra/scripts/validate-manifests.py "$venv/bin/kubernetes-validate" "$work"/render-*.yaml
for broken in Tests/DeployTests/broken-*.yaml; do
  if "$venv/bin/python" infra/scripts/validate-manifests.py "$venv/bin/kubernetes-validate" "$broken" 2>/dev/null; then
    echo "$broken passed validation; the validator is not checking" >&2
    exit 1
  fi
done

echo "   ArgoCD: the app of apps syncs Applications only; projects list exactly the kinds rendered; no prune of data"
"$venv/bin/python" infra/scripts/check-argocd.py "$work" k8s
mkdir "$work/broken"
cp "$work"/render-*.yaml "$work/broken/"
{ echo "---"; cat Tests/DeployTests/broken-appproject.yaml; } >>"$work/broken/render-argocd.yaml"
if "$venv/bin/python" infra/scripts/check-argocd.py "$work/broken" k8s 2>/dev/null; then
  echo "the app of apps syncing Tests/DeployTests/broken-appproject.yaml passed; the ArgoCD check is not checking" >&2
  exit 1
fi

echo "   connections (prod): collector and workers through the transaction-mode Pooler; LISTEN and session locks direct; reads from -ro"
"$venv/bin/python" infra/scripts/check-connections.py "$work/render-overlays-prod.yaml" "$work/render-overlays-prod-database.yaml"
cat "$work/render-overlays-prod.yaml" "$work/render-overlays-prod-database.yaml" >"$work/broken/prod-routing.yaml"
{ echo "---"; cat Tests/DeployTests/misrouted-worker.yaml; } >>"$work/broken/prod-routing.yaml"
"$venv/bin/python" infra/scripts/check-connections.py "$work/broken/prod-routing.yaml" 2>"$work/routing.err" || true
if ! grep -q "tracker-worker: worker needs a session" "$work/routing.err"; then
  echo "a worker through the pooler (Tests/DeployTests/misrouted-worker.yaml) was not refused; the connection check is not checking" >&2
  exit 1
fi

echo "   secrets: every reference is required and names a key the database layer's Secret has"
"$venv/bin/python" - "$work" <<'PY'
import sys, yaml, pathlib
work = pathlib.Path(sys.argv[1])
made_by_operator = {"tracker-db-app"}  # CloudNativePG writes it


def load(name):
    return [d for d in yaml.safe_load_all((work / name).read_text()) if d]


def secret_refs(node):
    if isinstance(node, dict):
        if "secretKeyRef" in node:
            yield node["secretKeyRef"]
        for value in node.values():
            yield from secret_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from secret_refs(value)


problems = []
for env in ("dev", "prod"):
    secrets = {d["metadata"]["name"]: set(d.get("data", {})) | set(d.get("stringData", {}))
               for d in load(f"render-overlays-{env}-database.yaml") if d["kind"] == "Secret"}
    for document in load(f"render-overlays-{env}.yaml"):
        refs = list(secret_refs(document))
        if document["kind"] == "TriggerAuthentication":
            refs += document["spec"].get("secretTargetRef", [])
        for ref in refs:
            where = f"{env}: {document['kind']}/{document['metadata']['name']}: {ref['name']}/{ref['key']}"
            if ref.get("optional"):
                problems.append(f"{where} is optional: a missing secret must stop the pod")
            elif ref["name"] not in made_by_operator and ref["key"] not in secrets.get(ref["name"], set()):
                problems.append(f"{where} is not a key of the database layer's secrets (its *.env.example)")
for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

echo "   alerts: promtool check rules, promtool test rules, a runbook entry each"
"$venv/bin/python" - "$work" <<'PY'
import sys, yaml, pathlib
work = pathlib.Path(sys.argv[1])
rule = yaml.safe_load(open("k8s/base/monitoring/prometheusrule.yaml"))
yaml.safe_dump({"groups": rule["spec"]["groups"]}, open(work / "rules.yml", "w"))
alerts = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
(work / "alerts.txt").write_text("\n".join(alerts) + "\n")
PY
promtool check rules "$work/rules.yml" >/dev/null
cp infra/prometheus/alerts.test.yml "$work/"
promtool test rules "$work/alerts.test.yml"
while read -r alert; do
  grep -qi "^## $alert\$" docs/runbook.md || { echo "docs/runbook.md has no '## $alert' entry" >&2; exit 1; }
  grep -q "alertname: $alert\$" infra/prometheus/alerts.test.yml || { echo "no promtool test for $alert" >&2; exit 1; }
done <"$work/alerts.txt"

echo "   dashboard: every panel query parses"
"$venv/bin/python" - "$work" <<'PY'
import json, sys, yaml, pathlib
work = pathlib.Path(sys.argv[1])
dashboard = json.load(open("k8s/base/monitoring/tracker-dashboard.json"))
rules = []
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        expr = target["expr"].replace("$__rate_interval", "5m")
        rules.append({"record": f"panel_{panel['id']}_{target['refId']}", "expr": expr})
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(work / "dashboard-rules.yml", "w"))
PY
promtool check rules "$work/dashboard-rules.yml" >/dev/null

echo "   workflows, YAML, Compose, Dockerfile"
"$venv/bin/actionlint" .github/workflows/*.yml
"$venv/bin/yamllint" -c infra/yamllint.yml .github k8s infra
# The Compose file requires read tokens (its query API is reached from Docker's bridge, not loopback).
TRACKER_READ_TOKENS=compose-config-check docker-compose -f infra/docker-compose.yml config -q
"$venv/bin/hadolint" --config infra/hadolint.yml infra/Dockerfile

echo "   docs/architecture.svg is rendered from docs/architecture.dot"
diff <(dot -Tsvg docs/architecture.dot | grep -v '^<!-- Generated by') <(grep -v '^<!-- Generated by' docs/architecture.svg) >/dev/null \
  || { echo "docs/architecture.svg is stale: dot -Tsvg docs/architecture.dot -o docs/architecture.svg" >&2; exit 1; }
