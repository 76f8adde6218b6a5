#!/usr/bin/env bash
# Installs every Debian package (and the npm test tooling) that SecCam's
# build, demo and tests need. Idempotent; a no-op in about a second when all
# is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build toolchain and libraries.
BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost-dev libssl-dev libsodium-dev libsqlite3-dev libpqxx-dev libhiredis-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev libgstrtspserver-1.0-dev libnice-dev
  clang libclang-rt-14-dev  # the libFuzzer targets (scripts/fuzz.sh)
)
# GStreamer elements the camera agent and its tests use at run time.
RUNTIME_PKGS=(
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-nice gstreamer1.0-rtsp gstreamer1.0-x
  coturn iproute2 nftables procps curl openssl
  postgresql-15  # the store-postgres tests start throw-away clusters of their own
  redis-server  # the cluster tests start their own (docs/BUS.md); never a system service
  haproxy  # the cluster tests and scripts/cluster-demo.sh start their own (deploy/haproxy)
)
# Browser tests.
E2E_PKGS=(chromium nodejs npm)  # npm: also the Node reference relay (bench/signaling)

want=("${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}")
if [[ "${SECCAM_SKIP_E2E:-0}" != 1 ]]; then want+=("${E2E_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  # nodejs/npm may come from elsewhere on a developer machine: a working
  # command is enough.
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) == 0 ]] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # coturn's, PostgreSQL's, Redis's and HAProxy's packages start system services; SecCam's
  # tests and demos start their own.
  for service in coturn postgresql redis-server haproxy; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
      $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
    elif [[ -x /etc/init.d/$service ]] && ! command -v systemctl >/dev/null; then
      # No systemd: the package's maintainer script started it through its init script.
      $SUDO /etc/init.d/"$service" stop >/dev/null 2>&1 || true
    fi
  done
  # Without systemd, postgresql-common starts the "main" cluster directly.
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters --no-header 2>/dev/null | while read -r version name _ status _; do
      [[ $status == online* ]] && $SUDO pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
    done
  fi
fi

# The npm tooling: the browser tests (tests/e2e) and the signaling benchmark's Node reference
# relay (bench/signaling/node-relay), both on the nodejs and npm above.
if [[ "${SECCAM_SKIP_E2E:-0}" != 1 ]]; then
  # npm records what it installed in node_modules/.package-lock.json: install again whenever
  # the project's lock file lists other packages or versions (a dependency added or upgraded).
  lockedPackages() {
    node -e 'try { const p = require(process.argv[1]).packages;
      console.log(Object.keys(p).filter((k) => k.startsWith("node_modules/")).sort()
        .map((k) => k + "@" + p[k].version).join("\n")); } catch {}' "$1"
  }
  for dir in tests/e2e bench/signaling/node-relay; do
    [[ -f $dir/package.json ]] || continue
    if [[ "$(lockedPackages "$PWD/$dir/package-lock.json")" != \
          "$(lockedPackages "$PWD/$dir/node_modules/.package-lock.json")" ]]; then
      echo "install-deps: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
fi
