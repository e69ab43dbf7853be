#!/usr/bin/env bash
# The repository's static checks: formatting, generated files, shell scripts, no secrets, layout.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/scripts/tools.sh
source infra/scripts/tools.sh

echo "-- swift format lint"
swift format lint --strict -r Sources Tests Package.swift

echo "-- embedded migrations match migrations/"
bash infra/scripts/embed-migrations.sh
git diff --exit-code -- Sources/TrackerStore/Migrations/Migration+embedded.swift \
  || { echo "run infra/scripts/embed-migrations.sh and commit the result" >&2; exit 1; }

echo "-- embedded Explorer files match Sources/TrackerQuery/Explorer/Assets"
bash infra/scripts/embed-explorer.sh
git diff --exit-code -- Sources/TrackerQuery/Explorer/ExplorerAsset+embedded.swift \
  || { echo "run infra/scripts/embed-explorer.sh and commit the result" >&2; exit 1; }

echo "-- shellcheck"
ensure_command shellcheck shellcheck
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck -x "${scripts[@]}"

echo "-- Python scripts compile"
mapfile -t pythons < <(git ls-files '*.py')
python3 -m py_compile "${pythons[@]}"

echo "-- no secrets or build output tracked"
if git ls-files | grep -E '(^|/)\.env$|(^|/)secrets\.env$|id_rsa|private_key|\.pem$|\.key$|(^|/)\.build/|Package\.resolved$'; then
  echo "the files above must not be in git" >&2
  exit 1
fi

echo "-- top-level layout"
allowed=" Package.swift Sources Tests migrations infra k8s .github docs README.md CHANGELOG.md .ci .gitignore .swift-format "
for entry in $(git ls-files | cut -d/ -f1 | sort -u); do
  case "$allowed" in *" $entry "*) ;; *) echo "unexpected top-level entry: $entry" >&2; exit 1 ;; esac
done

echo "-- deployment: manifests, alerts, dashboard, workflows, Compose, Dockerfile"
bash infra/scripts/check-deploy.sh
