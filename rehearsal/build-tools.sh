#!/usr/bin/env bash
# Builds the rehearsal's Go tools from the Go module proxy into a cache outside the project,
# at the versions package.json pins (the Pulumi CLI at @pulumi/pulumi's version, the
# docker-build provider at @pulumi/docker-build's). A tool already in the cache is not rebuilt.
#
#   rehearsal/build-tools.sh [tool...]     tools: pulumi docker-build buildkit buildx actionlint
#
# Cache: $PG_TRICKLE_TOOLS (default ~/.cache/pg-trickle-infra/tools), one folder per tool and
# version; the Go module and build caches (~/go/pkg/mod, ~/.cache/go-build) make a rebuild fast.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PG_TRICKLE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/pg-trickle-infra/tools}
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

npm_version() { node -p "require('$root/package.json').dependencies['$1']"; }

# The Node.js language host has no tags of its own: the proxy serves it by the commit of the
# Pulumi release (a pseudo-version). One row per Pulumi version this project has pinned.
language_host_commit() {
  case "$1" in
    3.248.0) echo "v3.0.0-20260624120734-a88168d865b7" ;;
    *) echo "build-tools: no language-host commit known for Pulumi $1; add the commit of tag v$1 to language_host_commit in $0" >&2; return 1 ;;
  esac
}

BUILDKIT_VERSION=v0.31.0   # the BuildKit that docker-build 0.0.22 is built against
BUILDX_VERSION=v0.35.0     # likewise its buildx
ACTIONLINT_VERSION=v1.7.12

# build <folder> <go.mod body> "<output>=<package>@<version> [ldflags]"...: builds each package
# in a throw-away module. The explicit version keeps `go get` from upgrading anything.
build() {
  local name="$1" dest="$cache/$1" mod="$2"; shift 2
  if [ -f "$dest/.complete" ]; then return 0; fi
  local work; work=$(mktemp -d)
  printf '%s\n' "$mod" >"$work/go.mod"
  mkdir -p "$work/bin"
  local spec out pkg ldflags
  for spec in "$@"; do
    out=${spec%%=*}; pkg=${spec#*=}; ldflags=""
    case "$pkg" in *' '*) ldflags=${pkg#* }; pkg=${pkg%% *} ;; esac
    echo "build-tools: $name: $out <- $pkg" >&2
    (cd "$work" && go get "$pkg" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "bin/$out" "${pkg%@*}")
  done
  rm -rf "$dest"; mkdir -p "$(dirname "$dest")"
  mv "$work/bin" "$dest"
  rm -rf "$work"
  touch "$dest/.complete"
}

tool_pulumi() {
  local v; v=$(npm_version @pulumi/pulumi)
  local lh; lh=$(language_host_commit "$v")
  build "pulumi-$v" "module rehearsal/pulumi
go 1.26
require (
	github.com/pulumi/pulumi/pkg/v3 v$v
	github.com/pulumi/pulumi/sdk/v3 v$v
	github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 $lh
)
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
    "pulumi=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$v -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    "pulumi-language-nodejs=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$lh -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v"
  # In the CLI's own release this is a two-line script too: the dynamic provider is Node code
  # from the program's own node_modules.
  local dyn="$cache/pulumi-$v/pulumi-resource-pulumi-nodejs"
  if [ ! -x "$dyn" ]; then
    printf '#!/bin/sh\nexec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider "$@"\n' >"$dyn"
    chmod +x "$dyn"
  fi
}

tool_docker-build() {
  local v; v=$(npm_version @pulumi/docker-build)
  build "docker-build-$v" "module rehearsal/docker-build
go 1.26
require github.com/pulumi/pulumi-docker-build v$v" \
    "pulumi-resource-docker-build=github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build@v$v -X github.com/pulumi/pulumi-docker-build/provider.Version=$v"
}

tool_buildkit() {
  build "buildkit-$BUILDKIT_VERSION" "module rehearsal/buildkit
go 1.26
require github.com/moby/buildkit $BUILDKIT_VERSION" \
    "buildkitd=github.com/moby/buildkit/cmd/buildkitd@$BUILDKIT_VERSION" \
    "buildctl=github.com/moby/buildkit/cmd/buildctl@$BUILDKIT_VERSION" \
    "dockerfile-frontend=github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend@$BUILDKIT_VERSION"
}

tool_buildx() {
  build "buildx-$BUILDX_VERSION" "module rehearsal/buildx
go 1.26
require github.com/docker/buildx $BUILDX_VERSION" \
    "docker-buildx=github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
}

tool_actionlint() {
  build "actionlint-$ACTIONLINT_VERSION" "module rehearsal/actionlint
go 1.26
require github.com/rhysd/actionlint $ACTIONLINT_VERSION" \
    "actionlint=github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
}

[ $# -gt 0 ] || set -- pulumi docker-build buildkit buildx actionlint
for t in "$@"; do
  start=$SECONDS
  "tool_$t"
  echo "build-tools: $t ready ($((SECONDS - start)) s)" >&2
done
