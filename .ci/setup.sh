# Shared by .ci/main and .ci/test (sourced): installs the Debian packages that
# are missing (apt-get as root, through sudo otherwise; nothing when all are
# present), then configures and builds a CMake preset incrementally.

linksim_packages=(
  g++ cmake ninja-build pkg-config git ccache
  libeigen3-dev libspdlog-dev libyaml-cpp-dev libgtest-dev libcli11-dev
  nlohmann-json3-dev libboost-math-dev libnlopt-cxx-dev libjs-chart.js
  pybind11-dev python3-dev libcpp-httplib-dev
)

linksim_install() {
  local missing=() p
  for p in "${linksim_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "linksim: need root or sudo to install: ${missing[*]}" >&2; return 1; }
    sudo=(sudo)
  fi
  echo "linksim: installing ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

linksim_build() {
  local preset=$1
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}
