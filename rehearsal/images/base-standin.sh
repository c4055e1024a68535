#!/usr/bin/env bash
# Pushes the postgres base-image stand-in (images/base-standin/) to the mirror registry as
# library/postgres:18-bookworm, one platform per rehearsal architecture, so BuildKit's docker.io
# mirror serves docker.io/library/postgres:18-bookworm. Prints the index digest.
#
#   rehearsal/images/base-standin.sh [--revision N]
#
# --revision N (default 1) only changes a label: a new digest with the same content, as when
# upstream republishes 18-bookworm (the base look-up scenario). Same revision, same digest.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/buildctl.sh"

revision=1
while [ $# -gt 0 ]; do
  case "$1" in
    --revision) revision=$2; shift 2 ;;
    *) die "usage: base-standin.sh [--revision N]" ;;
  esac
done

arches=$(rehearsal_arches)
context=$WORK_DIR/base-standin
rm -rf "$context"; mkdir -p "$context"
keys="" pg_version=""
for arch in $arches; do
  tarball=$("$here/images/base-standin/rootfs.sh" "$arch")
  # Same file system: a hard link, no copy of a 400 MB file.
  ln "$tarball" "$context/rootfs-$arch.tar" 2>/dev/null || cp "$tarball" "$context/rootfs-$arch.tar"
  keys+="${keys:+ }$arch:$(basename "$(dirname "$tarball")")"
  pg_version=$(sed -n 's/^postgresql=//p' "$(dirname "$tarball")/versions-$arch.txt")
done

ref=$MIRROR_REGISTRY/library/postgres:18-bookworm
digest=$(bk_push "$ref" "$here/images/base-standin" \
  --local context="$context" --local files="$here/images/base-standin" \
  --opt context:files=local:files \
  --opt platform="$(platforms_csv "$arches")" \
  --opt build-arg:PG_DEBIAN_VERSION="$pg_version" \
  --opt build-arg:ROOTFS_KEYS="$keys" \
  --opt build-arg:STANDIN_REVISION="$revision")
log "base stand-in: $ref@$digest ($(platforms_csv "$arches"), revision $revision; docker.io/library/postgres:18-bookworm through the mirror)"
echo "$digest"
