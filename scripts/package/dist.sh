#!/usr/bin/env bash
# Packages a built hotshard binary: a Debian package and a tarball with the same files, named by
# version and architecture, in OUTPUT (`make dist`; the package test runs it on the binary
# `make test` built).
#
#   dist.sh --binary PATH --manual DIR [--output DIR] [--fast]
#
#   OUTPUT/hotshard_VERSION_ARCH.deb               files under /usr (stage.sh --debian layout)
#   OUTPUT/hotshard-VERSION-linux-ARCH.tar.gz      the same files: hotshard-VERSION-linux-ARCH/{bin,share}
#
# `Depends:` is computed from what the binary links: dpkg-shlibdeps (dpkg-dev) gives each library's
# package with its minimum version; without dpkg-shlibdeps, `dpkg -S` on the libraries the binary
# names (NEEDED) gives the package names alone. --fast compresses with gzip -1 instead of xz -6
# and gzip -9 (the test's debug binary is 100 MB stripped).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)

binary="" manual="" output="$root/dist" deb_compression=(-Zxz) gzip_level=-9
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --manual) manual=$2; shift 2 ;;
        --output) output=$2; shift 2 ;;
        --fast) deb_compression=(-Zgzip -z1); gzip_level=-1; shift ;;
        *) echo "usage: $0 --binary PATH --manual DIR [--output DIR] [--fast]" >&2; exit 64 ;;
    esac
done
command -v dpkg-deb >/dev/null || { echo "dist.sh: dpkg-deb not found" >&2; exit 1; }

[ -x "$binary" ] || { echo "dist.sh: no executable binary at '$binary'" >&2; exit 1; }
# The version the binary was stamped with at build time (the tree may have changed since).
version=$("$binary" --version)
debian_version=$(sh "$here/version.sh" --debian "$version")
arch=$(dpkg --print-architecture)
# File times in the tarball: the commit's (reproducible), else now.
epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)

work=$(mktemp -d "${TMPDIR:-/tmp}/hotshard-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree="$work/hotshard"
bash "$here/stage.sh" install --binary "$binary" --manual "$manual" --prefix /usr --destdir "$tree" --debian

# Depends, from the binary's dynamic libraries.
installed="$tree/usr/bin/hotshard"
depends=""
if command -v dpkg-shlibdeps >/dev/null; then
    mkdir "$work/shlibdeps" "$work/shlibdeps/debian"
    printf 'Source: hotshard\n\nPackage: hotshard\nArchitecture: any\n' > "$work/shlibdeps/debian/control"
    depends=$(cd "$work/shlibdeps" && dpkg-shlibdeps -O "$installed" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
fi
if [ -z "$depends" ]; then
    # The binary's own NEEDED libraries (ldd also lists what they load), at the paths ldd resolves.
    for name in $(objdump -p "$installed" | awk '$1 == "NEEDED" { print $2 }'); do
        library=$(ldd "$installed" | awk -v name="$name" '$1 == name && $2 == "=>" { print $3 }')
        [ -n "$library" ] || continue   # the dynamic loader (no "=>"): libc6's, named by libc.so.6
        owner=$(dpkg -S "$library" 2>/dev/null || dpkg -S "$(readlink -f "$library")" 2>/dev/null \
            || dpkg -S "/usr$library" 2>/dev/null || true)
        [ -n "$owner" ] || { echo "dist.sh: no Debian package owns $library" >&2; exit 1; }
        echo "${owner%%:*}"
    done | sort -u > "$work/owners"
    depends=$(paste -sd, "$work/owners" | sed 's/,/, /g')
fi

mkdir "$tree/DEBIAN"
cat > "$tree/DEBIAN/control" <<CONTROL
Package: hotshard
Version: $debian_version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-Hotshard developers <hotshard@localhost>}
Installed-Size: $(du -sk --exclude=DEBIAN "$tree" | cut -f1)
Depends: $depends
Section: net
Priority: optional
Description: hot keys in Redis, memcached and HTTP traffic, and how to partition them
 Hotshard finds the hot keys in captures, live interfaces, synthetic load runs
 and replays, models how a cluster carries that traffic on the placement
 schemes real systems use, and recommends how to partition it.
CONTROL

mkdir -p "$output"
deb="$output/hotshard_${debian_version}_${arch}.deb"
tarball="$output/hotshard-${version}-linux-${arch}.tar.gz"
dpkg-deb --root-owner-group "${deb_compression[@]}" --build "$tree" "$deb" >/dev/null
rm -rf "$tree/DEBIAN"
mv "$tree/usr" "$work/hotshard-${version}-linux-${arch}"
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -cf - "hotshard-${version}-linux-${arch}" | gzip -n "$gzip_level" > "$tarball"
echo "$deb"
echo "$tarball"
