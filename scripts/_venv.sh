# Shared by scripts/run and scripts/test: a project virtualenv kept in step with pyproject.toml.
PYTHON="${PYTHON:-python3}"

venv_ensure() {
  local extras="$1"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "onetrip needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv …"
    "$PYTHON" -m venv .venv
  fi
  local stamp=".venv/.onetrip-installed${extras:+-$extras}"
  local want
  want="$(sha256sum pyproject.toml | cut -c1-64)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing onetrip${extras:+ with [$extras]} into .venv …"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    echo "$want" > "$stamp"
  fi
}
