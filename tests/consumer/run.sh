#!/bin/bash
# Installs the build in $1 into a fresh prefix, then builds tests/consumer
# against it twice, through find_package(linksim) and through pkg-config, and
# runs both on a bundled scenario. Run by ctest (Install.ConsumerProject).
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/linksim_consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
scenario=$work/prefix/share/linksim/scenarios/open_links.yaml
cmake -S "$source/tests/consumer" -B "$work/cmake" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer" "$scenario"
libdir=$(dirname "$(find "$work/prefix" -name linksim.pc)")
export PKG_CONFIG_PATH=$libdir
# shellcheck disable=SC2046
g++ -std=c++20 -O1 "$source/tests/consumer/main.cpp" -o "$work/pc_consumer" \
  $(pkg-config --cflags --libs linksim)
"$work/pc_consumer" "$scenario"
