#!/usr/bin/env bash
# Builds the release: one Linux binary with the Swift runtime and Foundation linked in, the corpus beside it,
# packed as dist/ppg-conformance-VERSION-linux-ARCH.tar.gz. The binary needs only glibc, libstdc++ and libcurl
# (for https targets), which every mainstream Linux CI image has.
# Usage: scripts/build-release.sh            (prints the tarball's path on its last line)
set -euo pipefail
cd "$(dirname "$0")/.."
# Linking FoundationNetworking statically needs libcurl's development files.
if ! ls /usr/lib/*/libcurl.so >/dev/null 2>&1 && ! ls /usr/lib/libcurl.so >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get install -y -qq libcurl4-openssl-dev || (apt-get update -qq && apt-get install -y -qq libcurl4-openssl-dev)) >/dev/null
  else
    echo "build-release: libcurl development files are missing (Debian/Ubuntu: apt-get install libcurl4-openssl-dev)" >&2
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
