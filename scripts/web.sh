#!/usr/bin/env bash
# Builds the trading screen (web/) into web/dist, which xtraderd serves at / (server.web_root):
# `npm ci` from the lock file, then the TypeScript check and the Vite build. The toolchain (Vite 6,
# Vitest 3) runs on Debian 12's own Node.js 18.19 and npm 9, which this script installs if absent.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if ((major < 18)); then
    echo "web: Node.js $(node --version) is too old for the trading screen's build (18.19+ needed)" >&2
    exit 1
fi
# Reinstall only when the lock file changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build >/dev/null
