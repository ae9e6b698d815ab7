# Shared by scripts/demo, scripts/test, scripts/backup and scripts/restore: find Python 3.11+, make .venv, install
# the project.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "OpenLEG needs Python 3.11 or newer (apt-get install python3)." >&2
  return 1
}

pick_manage_python() {
  # The Python that runs manage.py for scripts/backup and scripts/restore, which install nothing: OPENLEG_PYTHON,
  # else the project's .venv, else the system's (the Docker image installs the project there).
  if [ -n "${OPENLEG_PYTHON:-}" ]; then
    MANAGE_PYTHON=$OPENLEG_PYTHON
  elif [ -x .venv/bin/python ]; then
    MANAGE_PYTHON=.venv/bin/python
  else
    MANAGE_PYTHON=$(pick_python)
  fi
}

have_chromium() {
  command -v chromium >/dev/null 2>&1
}

missing_system_packages() {
  # Prints the Debian packages that are missing, on one line: venv support, and the libraries and
  # fonts WeasyPrint renders with; with "test" also Debian's chromium, for the browser tests. Each listing is captured before it is matched: under pipefail,
  # `ldconfig -p | grep -q …` fails whenever grep stops at the first match and the producer is
  # killed by SIGPIPE, so a present package would be reported missing.
  local missing=() libraries fonts
  "$PYTHON" -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
  libraries=$({ command -v ldconfig >/dev/null && ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null || true)
  [[ $libraries == *libpango-1.0* ]] || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
  # Without harfbuzz's subsetter WeasyPrint falls back to fontTools: ten times slower per PDF.
  [[ $libraries == *libharfbuzz-subset* ]] || missing+=(libharfbuzz-subset0)
  fonts=$(fc-list ':family=Liberation Sans' family 2>/dev/null || true)
  [[ -n $fonts ]] || missing+=(fonts-liberation2)
  if [[ ${1:-} == test ]]; then have_chromium || missing+=(chromium); fi
  echo "${missing[*]}"
}

ensure_system_packages() {
  local missing
  read -ra missing <<<"$(missing_system_packages "${1:-}")"
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing system packages: ${missing[*]}"
      (apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; }) >/dev/null
    else
      echo "Please install these Debian packages first: ${missing[*]}" >&2
    fi
  fi
}

ensure_venv() {
  local extras="${1:-}"
  PYTHON=$(pick_python)
  ensure_system_packages "$extras"
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  # An empty extra installs the main dependencies only (pip refuses ".[]").
  local target="." stamp=".venv/.installed-${extras:-main}"
  [ -z "$extras" ] || target=".[$extras]"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -c constraints.txt -e "$target"
    touch "$stamp"
  fi
}
