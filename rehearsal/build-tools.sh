#!/usr/bin/env bash
# Builds the rehearsal's Go tools from the Go module proxy into a cache outside the project,
# at the versions package.json pins (the Pulumi CLI at @pulumi/pulumi's version, the
# docker-build provider at @pulumi/docker-build's). A tool already in the cache, built by the
# same recipe, is not rebuilt.
#
#   rehearsal/build-tools.sh [tool...]     tools: pulumi docker-build buildkit buildx actionlint
#
# Cache: $PG_TRICKLE_TOOLS (default ~/.cache/pg-trickle-infra/tools), one folder per tool and
# version (pulumi-<v>, pulumi-language-nodejs-<v>, docker-build-<v>, buildkit-<v>, buildx-<v>,
# actionlint-<v>); the Go module and build caches (~/go/pkg/mod, ~/.cache/go-build) make a
# rebuild fast.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PG_TRICKLE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/pg-trickle-infra/tools}
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

npm_version() { node -p "require('$root/package.json').dependencies['$1']"; }

# The Node.js language host: since Pulumi 3.69 it is a module of its own
# (sdk/nodejs/cmd/pulumi-language-nodejs/v3, untagged), which this machine's Go proxy does not
# serve. Up to 3.68 it was a package of sdk/v3, which it serves: that is the language host the
# rehearsal runs, named as such in its report. It only starts `node` on the program's own
# @pulumi/pulumi (cmd/run), so the Node SDK that runs the program is the pinned one.
LANGUAGE_HOST_SDK_VERSION=v3.68.0

BUILDKIT_VERSION=v0.31.0   # the BuildKit that docker-build 0.0.22 is built against
BUILDX_VERSION=v0.35.0     # likewise its buildx
ACTIONLINT_VERSION=v1.7.12

# build <folder> <go.mod body> <prepare> "<output>=<package>@<version> [ldflags]"...: builds
# each package in a throw-away module; <prepare> (a function, or "-") runs in it first. The
# explicit versions keep `go get` from upgrading anything. The recipe's hash is the cache stamp.
build() {
  local name="$1" dest="$cache/$1" mod="$2" prepare="$3"; shift 3
  local stamp; stamp=$(printf '%s\n' "$mod" "$prepare" "$@" | sha256sum | cut -c1-16)
  if [ "$(cat "$dest/.complete" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  local work; work=$(mktemp -d)
  printf '%s\n' "$mod" >"$work/go.mod"
  mkdir -p "$work/bin"
  [ "$prepare" = - ] || (cd "$work" && "$prepare")
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
  echo "$stamp" >"$dest/.complete"
}

tool_pulumi() {
  local v; v=$(npm_version @pulumi/pulumi)
  build "pulumi-$v" "module rehearsal/pulumi
go 1.26
require (
	github.com/pulumi/pulumi/pkg/v3 v$v
	github.com/pulumi/pulumi/sdk/v3 v$v
)
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" - \
    "pulumi=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$v -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v"
  build "pulumi-language-nodejs-$LANGUAGE_HOST_SDK_VERSION" "module rehearsal/pulumi-language-nodejs
go 1.26
require github.com/pulumi/pulumi/sdk/v3 $LANGUAGE_HOST_SDK_VERSION" - \
    "pulumi-language-nodejs=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@$LANGUAGE_HOST_SDK_VERSION -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGUAGE_HOST_SDK_VERSION"
  # Beside the CLI, as in its own release: the CLI takes the language host from its directory.
  ln -sfn "../pulumi-language-nodejs-$LANGUAGE_HOST_SDK_VERSION/pulumi-language-nodejs" "$cache/pulumi-$v/pulumi-language-nodejs"
  # In the CLI's own release this is a two-line script too: the dynamic provider is Node code
  # from the program's own node_modules.
  local dyn="$cache/pulumi-$v/pulumi-resource-pulumi-nodejs"
  if [ ! -x "$dyn" ]; then
    printf '#!/bin/sh\nexec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider "$@"\n' >"$dyn"
    chmod +x "$dyn"
  fi
}

# docker-build imports two packages only to describe its Java and .NET SDKs in its schema
# (java.PackageInfo, codegen.CSharpPackageInfo: a few settings for SDK generation); the proxy
# serves neither module (pulumi-java, pulumi-dotnet). Two local modules declare those settings
# types, so everything the provider does (Image, Index, buildx, BuildKit) is its own code. The
# rehearsal's report says so.
schema_settings_modules() {
  mkdir -p stub/java/pkg/codegen/java stub/dotnet/codegen
  printf 'module github.com/pulumi/pulumi-java\n\ngo 1.21\n' >stub/java/go.mod
  cat >stub/java/pkg/codegen/java/package_info.go <<'GO'
// Package java declares the Java SDK settings of a Pulumi schema's language section.
package java

type PackageInfo struct {
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
}
GO
  printf 'module github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3\n\ngo 1.21\n' >stub/dotnet/go.mod
  cat >stub/dotnet/codegen/package_info.go <<'GO'
// Package codegen declares the .NET SDK settings of a Pulumi schema's language section.
package codegen

type CSharpPackageInfo struct {
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
}
GO
}

tool_docker-build() {
  local v; v=$(npm_version @pulumi/docker-build)
  build "docker-build-$v" "module rehearsal/docker-build
go 1.26
require github.com/pulumi/pulumi-docker-build v$v
replace (
	github.com/pulumi/pulumi-java => ./stub/java
	github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 => ./stub/dotnet
)" schema_settings_modules \
    "pulumi-resource-docker-build=github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build@v$v -X github.com/pulumi/pulumi-docker-build/provider.Version=$v"
}

# The version ldflags: docker-build asks BuildKit for its version (several exports need 0.13+).
tool_buildkit() {
  build "buildkit-$BUILDKIT_VERSION" "module rehearsal/buildkit
go 1.26
require github.com/moby/buildkit $BUILDKIT_VERSION" - \
    "buildkitd=github.com/moby/buildkit/cmd/buildkitd@$BUILDKIT_VERSION -X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
    "buildctl=github.com/moby/buildkit/cmd/buildctl@$BUILDKIT_VERSION -X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
    "dockerfile-frontend=github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend@$BUILDKIT_VERSION"
}

tool_buildx() {
  build "buildx-$BUILDX_VERSION" "module rehearsal/buildx
go 1.26
require github.com/docker/buildx $BUILDX_VERSION" - \
    "docker-buildx=github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION -X github.com/docker/buildx/version.Version=$BUILDX_VERSION"
}

tool_actionlint() {
  build "actionlint-$ACTIONLINT_VERSION" "module rehearsal/actionlint
go 1.26
require github.com/rhysd/actionlint $ACTIONLINT_VERSION" - \
    "actionlint=github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
}

[ $# -gt 0 ] || set -- pulumi docker-build buildkit buildx actionlint
for t in "$@"; do
  start=$SECONDS
  "tool_$t"
  echo "build-tools: $t ready ($((SECONDS - start)) s)" >&2
done
