#!/usr/bin/env bash
# Installs (or removes) hotshard's files under DESTDIR/PREFIX: the one layout `make install`,
# `make uninstall`, `make dist` (the Debian package and the tarball) and the package test share.
#
#   stage.sh install   --binary PATH --manual DIR [--prefix /usr/local] [--destdir DIR] [--debian]
#   stage.sh uninstall [--prefix /usr/local] [--destdir DIR] [--debian]
#
#   PREFIX/bin/hotshard                               (stripped, as packaged binaries are: Swift
#                                                      finds its metadata in sections, not symbols)
#   PREFIX/share/man/man1/hotshard.1.gz, hotshard.SUBCOMMAND.1.gz   (gzip -9n, from --manual DIR)
#   PREFIX/share/bash-completion/completions/hotshard
#   PREFIX/share/zsh/site-functions/_hotshard         (--debian: share/zsh/vendor-completions)
#   PREFIX/share/fish/vendor_completions.d/hotshard.fish
#   PREFIX/share/hotshard/profiles/*.yaml, README.md  (the example load profiles)
#   PREFIX/share/doc/hotshard/README.md, CHANGELOG.md
#
# The manual pages come from swift-argument-parser's generate-manual (see manual.sh) and the
# completions from the binary itself (`--generate-completion-script`), so help, manual and Tab
# never disagree with the binary installed beside them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd -P)

usage() { echo "usage: $0 install|uninstall --binary PATH --manual DIR [--prefix P] [--destdir D] [--debian]" >&2; exit 64; }
[ $# -ge 1 ] || usage
action=$1; shift
binary="" manual="" prefix=/usr/local destdir="" debian=0
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --manual) manual=$2; shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        --destdir) destdir=$2; shift 2 ;;
        --debian) debian=1; shift ;;
        *) usage ;;
    esac
done

base="$destdir$prefix"
zsh_dir="share/zsh/site-functions"                     # what zsh searches under /usr/local
[ "$debian" = 1 ] && zsh_dir="share/zsh/vendor-completions"  # Debian's place for packaged ones

case "$action" in
install)
    [ -x "$binary" ] || { echo "stage.sh: no executable binary at '$binary'" >&2; exit 1; }
    compgen -G "$manual/hotshard.1" >/dev/null || { echo "stage.sh: no hotshard.1 in '$manual' (run scripts/package/manual.sh)" >&2; exit 1; }
    install -d "$base/bin" "$base/share/man/man1" "$base/share/bash-completion/completions" \
        "$base/$zsh_dir" "$base/share/fish/vendor_completions.d" "$base/share/hotshard/profiles" \
        "$base/share/doc/hotshard"
    install -m 755 -s "$binary" "$base/bin/hotshard"
    for page in "$manual"/hotshard*.1; do
        gzip -9n < "$page" > "$base/share/man/man1/$(basename "$page").gz"
        chmod 644 "$base/share/man/man1/$(basename "$page").gz"
    done
    "$binary" --generate-completion-script bash > "$base/share/bash-completion/completions/hotshard"
    "$binary" --generate-completion-script zsh > "$base/$zsh_dir/_hotshard"
    "$binary" --generate-completion-script fish > "$base/share/fish/vendor_completions.d/hotshard.fish"
    chmod 644 "$base/share/bash-completion/completions/hotshard" "$base/$zsh_dir/_hotshard" \
        "$base/share/fish/vendor_completions.d/hotshard.fish"
    install -m 644 "$root"/profiles/*.yaml "$root"/profiles/README.md "$base/share/hotshard/profiles/"
    install -m 644 "$root/README.md" "$root/CHANGELOG.md" "$base/share/doc/hotshard/"
    ;;
uninstall)
    rm -f "$base/bin/hotshard" "$base"/share/man/man1/hotshard.1.gz "$base"/share/man/man1/hotshard.*.1.gz \
        "$base/share/bash-completion/completions/hotshard" "$base/$zsh_dir/_hotshard" \
        "$base/share/fish/vendor_completions.d/hotshard.fish"
    rm -rf "$base/share/hotshard" "$base/share/doc/hotshard"
    ;;
*) usage ;;
esac
