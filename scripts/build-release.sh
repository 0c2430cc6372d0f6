#!/usr/bin/env bash
# Builds the release: one Linux binary with the Swift runtime and Foundation linked in, the corpus beside it,
# packed as dist/ppg-conformance-VERSION-linux-ARCH.tar.gz. The binary needs only glibc, libstdc++ and libcurl
# (for https targets), which every mainstream Linux CI image has.
# Usage: scripts/build-release.sh [--install-deps]   (prints the tarball's path on its last line)
# It changes nothing on the system unless asked: with --install-deps (as root, Debian/Ubuntu) it installs the one
# package it needs, libcurl4-openssl-dev, saying so first; without it, a missing package is one line and exit 2.
set -euo pipefail
cd "$(dirname "$0")/.."
install=false
case "${1:-}" in
  --install-deps) install=true ;;
  "") ;;
  *) echo "build-release: unknown option '$1' (usage: scripts/build-release.sh [--install-deps])" >&2; exit 2 ;;
esac
# Linking FoundationNetworking statically needs libcurl's development files.
if ! ls /usr/lib/*/libcurl.so >/dev/null 2>&1 && ! ls /usr/lib/libcurl.so >/dev/null 2>&1; then
  if $install && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "build-release: installing libcurl4-openssl-dev (asked for by --install-deps)" >&2
    (apt-get install -y -qq libcurl4-openssl-dev || (apt-get update -qq && apt-get install -y -qq libcurl4-openssl-dev)) >/dev/null
  else
    echo "build-release: needs libcurl's development files to link FoundationNetworking statically" \
      "(Debian/Ubuntu: apt-get install libcurl4-openssl-dev, or run this script with --install-deps as root)" >&2
    exit 2
  fi
fi
swift build -c release --static-swift-stdlib --product ppg-conformance >&2
binary=$(swift build -c release --static-swift-stdlib --show-bin-path)/ppg-conformance
version=$("$binary" --version | awk '{print $2}')
name="ppg-conformance-$version-linux-$(uname -m)"
rm -rf "dist/$name"
mkdir -p "dist/$name"
cp "$binary" "dist/$name/ppg-conformance"
strip "dist/$name/ppg-conformance" 2>/dev/null || true
mkdir -p "dist/$name/vectors"
cp -R vectors/v1 vectors/schema vectors/README.md vectors/CHANGELOG.md "dist/$name/vectors/"
cp README.md SPEC.md "dist/$name/"
tar -C dist -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
