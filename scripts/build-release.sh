#!/usr/bin/env bash
# Builds the release: one Linux binary with the Swift runtime and Foundation linked in, the corpus beside it,
# packed as dist/ppg-conformance-VERSION-linux-ARCH.tar.gz. The binary needs only glibc (and libstdc++); https
# targets load the system's libssl at run time when one is there.
# Usage: scripts/build-release.sh   (prints the tarball's path on its last line)
# It installs nothing: https goes through the project's own client and the system's OpenSSL, loaded at run time, so
# neither FoundationNetworking nor libcurl is linked. (--install-deps is accepted for old CI scripts and ignored.)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  --install-deps|"") ;;
  *) echo "build-release: unknown option '$1' (usage: scripts/build-release.sh)" >&2; exit 2 ;;
esac
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
