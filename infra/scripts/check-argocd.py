"""Checks what ArgoCD may do with the rendered manifests (check-deploy.sh renders them into
WORK/render-*.yaml): the app of apps syncs Applications only, never an AppProject; each
Application's project lists exactly the kinds its sources render (no `*`) and its destination;
the database Applications never prune, and their PostgreSQL and namespace survive a deleted
Application. Exits non-zero naming every problem."""
import pathlib
import sys

import yaml

CLUSTER_SCOPED = {"Namespace"}
DATA_KINDS = {"Namespace", "Cluster", "StatefulSet"}


def rendered(work: pathlib.Path, name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((work / f"render-{name}.yaml").read_text()) if d]


def group_kind(document: dict) -> tuple[str, str]:
    return document["apiVersion"].rpartition("/")[0], document["kind"]


def listed(entries: list[dict] | None) -> set[tuple[str, str]]:
    return {(entry["group"], entry["kind"]) for entry in entries or []}


def main() -> int:
    work, k8s = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    problems = []
    projects = {p["metadata"]["name"]: p["spec"] for p in rendered(work, "projects")}
    for name, spec in projects.items():
        whitelists = listed(spec.get("clusterResourceWhitelist")) | listed(spec.get("namespaceResourceWhitelist"))
        if "namespaceResourceWhitelist" not in spec:
            problems.append(f"AppProject {name}: no namespaceResourceWhitelist (ArgoCD then allows every kind)")
        if any("*" in group or "*" in kind for group, kind in whitelists):
            problems.append(f"AppProject {name}: a wildcard kind")

    root = yaml.safe_load((k8s / "argocd/root.yaml").read_text())
    applications = rendered(work, "argocd")
    used: dict[str, dict[str, set[tuple[str, str]]]] = {}

    def allow(project: str, documents: list[dict], namespace: str, origin: str) -> None:
        spec = projects.get(project)
        if spec is None:
            problems.append(f"{origin}: project {project} is not in k8s/projects")
            return
        if namespace not in {d.get("namespace") for d in spec.get("destinations", [])}:
            problems.append(f"{origin}: project {project} does not allow namespace {namespace}")
        kinds = used.setdefault(project, {"cluster": set(), "namespaced": set()})
        for document in documents:
            scope = "cluster" if document["kind"] in CLUSTER_SCOPED else "namespaced"
            kinds[scope].add(group_kind(document))

    allow(root["spec"]["project"], applications, root["spec"]["destination"]["namespace"], "root.yaml")
    for application in applications:
        name, spec = application["metadata"]["name"], application["spec"]
        if application["kind"] != "Application":
            problems.append(f"k8s/argocd renders {application['kind']}/{name}: the app of apps syncs Applications only")
            continue
        path = spec["source"]["path"].removeprefix("k8s/")
        documents = rendered(work, path.replace("/", "-"))
        allow(spec["project"], documents, spec["destination"]["namespace"], f"Application {name}")
        if path.endswith("/database"):
            if spec["syncPolicy"]["automated"].get("prune") is not False:
                problems.append(f"Application {name}: a database layer must not prune")
            for document in documents:
                options = document["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-options", "")
                if document["kind"] in DATA_KINDS and not {"Prune=false", "Delete=false"} <= set(options.split(",")):
                    problems.append(f"{path}: {document['kind']}/{document['metadata']['name']} lacks Prune=false,Delete=false")

    for name, spec in projects.items():
        kinds = used.get(name, {"cluster": set(), "namespaced": set()})
        for scope, field in (("cluster", "clusterResourceWhitelist"), ("namespaced", "namespaceResourceWhitelist")):
            allowed = listed(spec.get(field))
            for missing in sorted(kinds[scope] - allowed):
                problems.append(f"AppProject {name}: {field} lacks {missing}, which its Applications render")
            for unused in sorted(allowed - kinds[scope]):
                problems.append(f"AppProject {name}: {field} allows {unused}, which nothing renders")

    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
