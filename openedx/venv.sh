# Shared by openedx/*/run-tests.sh (sourced, run from the package's folder): finding a Python, and keeping one
# virtual environment per supported release in step with its requirement files.

# find_python <minor> <exact>: a Python 3.<minor> (exact=1) or at least 3.<minor> (exact=0), from PATH or
# pyenv's installs; prints its path.
find_python() {
  local minor="$1" exact="$2" candidates=() c v
  for v in $(seq "$minor" 14); do
    candidates+=("python3.$v")
    [ "$exact" = 1 ] && break
  done
  candidates+=(python3)
  if command -v pyenv >/dev/null 2>&1; then
    for c in "$(pyenv root)"/versions/3.*/bin/python3; do candidates+=("$c"); done
  fi
  # pyenv's installs also when pyenv itself is not on the PATH (a CI shell without the login profile).
  for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3; do [ -x "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    if "$c" -c "import sys, venv; sys.exit(not (sys.version_info[:2] == (3, $minor) if $exact else sys.version_info >= (3, $minor)))" >/dev/null 2>&1; then
      command -v "$c" 2>/dev/null || echo "$c"
      return 0
    fi
  done
  return 1
}

# ensure_venv <venv> <python> <constraints> <requirements>: creates the venv from PyPI (the requirements under
# the release's constraints, and this package editable) when it is missing or when those files, pyproject.toml or
# the Python changed (a hash stamp inside the venv).
ensure_venv() {
  local venv="$1" py="$2" constraints="$3" requirements="$4" stamp log
  stamp="$( (cat "$constraints" "$requirements" pyproject.toml; "$py" --version 2>&1) | sha256sum | cut -c1-16)"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  echo "-- creating $venv with $("$py" --version 2>&1) ($constraints)"
  rm -rf "$venv"
  "$py" -m venv "$venv" || return 1
  log="$venv/install.log"
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check -c "$constraints" -r "$requirements" -e . > "$log" 2>&1; then
    grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -30
    return 1
  fi
  echo "$stamp" > "$venv/.stamp"
}
