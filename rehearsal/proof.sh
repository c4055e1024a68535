#!/usr/bin/env bash
# Proof of the rehearsal environment without Pulumi: builds docker/Dockerfile's `runtime` and
# `extension` targets on the rehearsal's BuildKit, each platform on its own and pushed by digest
# (as the program's per-platform images are), from the pg_trickle source at a git tag (git
# daemon), with the test double as the `builder` stage and the base stand-in pinned by digest;
# then runs the runtime image in the rehearsal's Docker engine and passes the project's smoke
# gate. A broken double must fail the gate at its "version" check.
#
#   rehearsal/proof.sh [version]        default 1.2.3
#
# Starts the environment when it is not running (and stops it again at the end); reuses a
# running one. Results and timings: $REHEARSAL_DIR/proof.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/daemon.sh"

version=${1:-1.2.3}
report=$REHEARSAL_DIR/proof.md
need_tool "$BUILDCTL" "rehearsal/build-tools.sh buildkit"

if daemon_pid buildkitd >/dev/null && daemon_pid dockerd >/dev/null; then
  log "proof: reusing the running environment"
else
  "$here/env.sh" up
  trap '"$here/env.sh" down' EXIT
  trap 'exit 130' INT TERM
fi
source "$REHEARSAL_DIR/env"
arches=$(rehearsal_arches)
results=()
result() { results+=("| $1 | $2 | $3 |"); log "proof: $1: $2 ($3)"; }
failed=0

# --- inputs: frontend, base stand-in, double, git source -------------------------------------
s=$SECONDS; frontend=$("$here/images/frontend.sh"); result "frontend image docker/dockerfile:1" "$frontend" "$((SECONDS - s)) s"
s=$SECONDS; base=$("$here/images/base-standin.sh"); result "base stand-in postgres:18-bookworm" "$base" "$((SECONDS - s)) s"
s=$SECONDS; double=$("$here/images/double.sh" "$version"); result "double $version" "$double" "$((SECONDS - s)) s"
s=$SECONDS; broken=$("$here/images/double.sh" "$version" --broken); result "double $version, broken" "$broken" "$((SECONDS - s)) s"
s=$SECONDS; "$here/git-source.sh" >/dev/null; result "git source (tags v1.2.3 v1.3.0 v1.2.4)" "$GIT_BASE_URL/pg-trickle.git" "$((SECONDS - s)) s"

base_ref=docker.io/library/postgres:18-bookworm@$base
source_url=$GIT_BASE_URL/pg-trickle.git#v$version

# --- the git context is fetched by BuildKit (buildctl) and by buildx ------------------------
# docker/Dockerfile's runtime and extension targets do not read the main context once the
# builder stage is replaced, so this checks git:// contexts on their own. With a git context
# the Dockerfile comes from the repository unless `dockerfilekey` names the local one (buildx
# sets it for -f with a remote context).
git_check=$WORK_DIR/git-context-check
rm -rf "$git_check"; mkdir -p "$git_check/df"
printf 'FROM scratch\nCOPY Cargo.toml Cargo.lock pg_trickle.control /\n' >"$git_check/df/Dockerfile"
s=$SECONDS
"$BUILDCTL" build --progress plain --frontend dockerfile.v0 --local dockerfile="$git_check/df" \
  --opt dockerfilekey=dockerfile --opt context="$source_url" --output type=local,dest="$git_check/buildctl" >>"$LOG_DIR/proof.log" 2>&1
seen=$(sed -n 's/^version = "\(.*\)"/\1/p' "$git_check/buildctl/Cargo.toml")
[ "$seen" = "$version" ] && result "buildctl: git context $source_url" "Cargo.toml version $seen" "$((SECONDS - s)) s" ||
  { result "buildctl: git context $source_url" "FAILED: Cargo.toml version '$seen'" "-"; failed=1; }
if [ -x "$DOCKER_BUILDX" ]; then
  s=$SECONDS
  "$DOCKER_BUILDX" build --builder "$BUILDX_BUILDER" --progress plain -f "$git_check/df/Dockerfile" \
    --output type=local,dest="$git_check/buildx" "$source_url" >>"$LOG_DIR/proof.log" 2>&1
  seen=$(sed -n 's/^version = "\(.*\)"/\1/p' "$git_check/buildx/Cargo.toml")
  [ "$seen" = "$version" ] && result "buildx: git context $source_url" "Cargo.toml version $seen" "$((SECONDS - s)) s" ||
    { result "buildx: git context $source_url" "FAILED: Cargo.toml version '$seen'" "-"; failed=1; }
fi

# --- docker/Dockerfile, per target and platform, pushed by digest ---------------------------
# build_target <target> <arch> <double digest> <repository>: prints the pushed digest.
build_target() {
  local target=$1 arch=$2 double_digest=$3 repo=$4 meta
  meta=$(mktemp)
  "$BUILDCTL" build --progress plain --frontend dockerfile.v0 \
    --local dockerfile="$REHEARSAL_PROJECT/docker" --opt filename=Dockerfile \
    --opt dockerfilekey=dockerfile --opt context="$source_url" \
    --local pgtrickle-files="$REHEARSAL_PROJECT/docker/files" --opt context:pgtrickle-files=local:pgtrickle-files \
    --opt context:builder="docker-image://$MIRROR_REGISTRY/rehearsal/pg_trickle-double@$double_digest" \
    --opt build-arg:BASE_IMAGE="$base_ref" --opt build-arg:PG_MAJOR=18 \
    --opt build-arg:PG_TRICKLE_VERSION="$version" \
    --opt target="$target" --opt platform="linux/$arch" \
    --output "type=image,name=$repo,push-by-digest=true,name-canonical=true,push=true" \
    --metadata-file "$meta" >>"$LOG_DIR/proof-build-$target-$arch.log" 2>&1 || {
    tail -n 30 "$LOG_DIR/proof-build-$target-$arch.log" >&2; rm -f "$meta"; return 1; }
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))["containerimage.digest"])' "$meta"
  rm -f "$meta"
}

repo=$REGISTRY_A/rehearsal/pg_trickle
ext_repo=$REGISTRY_A/rehearsal/pg_trickle-ext
declare -A runtime_digest extension_digest
for arch in $arches; do
  for target in runtime extension; do
    r=$repo; [ $target = extension ] && r=$ext_repo
    s=$SECONDS
    if d=$(build_target "$target" "$arch" "$double" "$r"); then
      result "buildctl: $target linux/$arch, pushed by digest" "$r@$d" "$((SECONDS - s)) s"
      if [ $target = runtime ]; then runtime_digest[$arch]=$d; else extension_digest[$arch]=$d; fi
    else
      result "buildctl: $target linux/$arch" "FAILED (log: $LOG_DIR/proof-build-$target-$arch.log)" "$((SECONDS - s)) s"
      failed=1
    fi
  done
done
s=$SECONDS
broken_digest=$(build_target runtime amd64 "$broken" "$repo") &&
  result "buildctl: runtime linux/amd64 with the broken double" "$repo@$broken_digest" "$((SECONDS - s)) s" ||
  { result "buildctl: runtime linux/amd64 with the broken double" FAILED "-"; failed=1; }

# The same build through buildx (the builder docker-build uses), pushed by digest.
if [ -x "$DOCKER_BUILDX" ]; then
  s=$SECONDS; meta=$WORK_DIR/buildx-metadata.json
  if "$DOCKER_BUILDX" build --builder "$BUILDX_BUILDER" --progress plain \
    -f "$REHEARSAL_PROJECT/docker/Dockerfile" --target runtime --platform linux/amd64 \
    --build-context pgtrickle-files="$REHEARSAL_PROJECT/docker/files" \
    --build-context builder="docker-image://$MIRROR_REGISTRY/rehearsal/pg_trickle-double@$double" \
    --build-arg BASE_IMAGE="$base_ref" --build-arg PG_MAJOR=18 --build-arg PG_TRICKLE_VERSION="$version" \
    --output "type=image,name=$repo,push-by-digest=true,name-canonical=true,push=true" \
    --metadata-file "$meta" "$source_url" >>"$LOG_DIR/proof-buildx.log" 2>&1; then
    d=$(node -p 'require(process.argv[1])["containerimage.digest"]' "$meta")
    result "buildx: runtime linux/amd64, pushed by digest" "$repo@$d" "$((SECONDS - s)) s"
  else
    result "buildx: runtime linux/amd64" "FAILED (log: $LOG_DIR/proof-buildx.log)" "$((SECONDS - s)) s"; failed=1
  fi
fi

# --- what landed in the registry (through the driver's RegistryApi) -------------------------
inspect() {
  node -r "$REHEARSAL_PROJECT/plan/register-ts.cjs" -e '
    const { RegistryApi } = require(process.argv[1]);
    const [host, repository, digest] = process.argv.slice(2);
    const passwordFile = process.env.REHEARSAL_REGISTRY_PASSWORD_FILE;
    const login = passwordFile ? { username: process.env.REHEARSAL_REGISTRY_USER, password: require("fs").readFileSync(passwordFile, "utf8").trim() } : undefined;
    const api = new RegistryApi(host, { caFile: process.env.NODE_EXTRA_CA_CERTS, login });
    (async () => {
      const m = await api.manifest(repository, digest);
      const labels = m && m.body.config ? await api.labels(repository, digest) : {};
      const platforms = m && m.body.manifests ? api.platformsOf(m) : [];
      console.log(JSON.stringify({ found: Boolean(m), mediaType: m && m.mediaType, tags: await api.tags(repository), platforms,
        version: labels["org.opencontainers.image.version"] }));
    })().catch((e) => { console.error(e.message); process.exit(1); });
  ' "$here/driver/registry-api.ts" "$@"
}
for arch in $arches; do
  [ -n "${runtime_digest[$arch]:-}" ] && [ -f "$here/driver/registry-api.ts" ] || continue
  result "registry: rehearsal/pg_trickle@${runtime_digest[$arch]:0:19}…" "$(inspect "$REGISTRY_A" rehearsal/pg_trickle "${runtime_digest[$arch]}")" "-"
done

# --- the extension image holds the files CloudNativePG mounts ------------------------------
if [ -n "${extension_digest[amd64]:-}" ]; then
  image=$ext_repo@${extension_digest[amd64]}
  docker pull -q "$image" >/dev/null
  c=$(docker create "$image" none)
  files=$(docker export "$c" | tar -t | grep -E '^(lib|share)/.+[^/]$' | sort | tr '\n' ' ')
  docker rm "$c" >/dev/null
  case "$files" in
    "lib/pg_trickle.so share/extension/pg_trickle--$version.sql share/extension/pg_trickle.control ")
      result "extension image linux/amd64 content" "$files" "-" ;;
    *) result "extension image linux/amd64 content" "FAILED: $files" "-"; failed=1 ;;
  esac
fi

# --- run it: docker run --network none, psql through docker exec ----------------------------
if [ -n "${runtime_digest[amd64]:-}" ]; then
  image=$repo@${runtime_digest[amd64]}
  s=$SECONDS
  docker pull -q "$image" >/dev/null
  name=pgtrickle-proof
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --network none -e POSTGRES_PASSWORD=proof "$image" >/dev/null
  until docker exec "$name" pg_isready -q -h 127.0.0.1 2>/dev/null; do
    [ $((SECONDS - s)) -lt 120 ] || break
    sleep 1
  done
  seen=$(docker exec -e PGPASSWORD=proof "$name" psql -h 127.0.0.1 -U postgres -Atc 'SELECT pgtrickle.version()' 2>&1 || true)
  health=$(docker inspect --format '{{.State.Health.Status}}' "$name" 2>/dev/null || echo none)
  docker rm -f -v "$name" >/dev/null
  [ "$seen" = "$version" ] && result "docker run + psql: SELECT pgtrickle.version()" "$seen" "$((SECONDS - s)) s" ||
    { result "docker run + psql: SELECT pgtrickle.version()" "FAILED: $seen" "$((SECONDS - s)) s"; failed=1; }

  # The project's smoke gate, as the SmokeTest resource runs it.
  gate() { (cd "$REHEARSAL_PROJECT" && node -r ./plan/register-ts.cjs rehearsal/smoke-gate.ts "$@"); }
  for arch in $arches; do
    [ -n "${runtime_digest[$arch]:-}" ] || continue
    s=$SECONDS
    if out=$(gate "$repo@${runtime_digest[$arch]}" "$version" "linux/$arch" 2>>"$LOG_DIR/proof.log"); then
      result "smoke gate linux/$arch" "passed: $out" "$((SECONDS - s)) s"
    else
      result "smoke gate linux/$arch" "FAILED (log: $LOG_DIR/proof.log)" "$((SECONDS - s)) s"; failed=1
    fi
  done
  if [ -n "${broken_digest:-}" ]; then
    s=$SECONDS
    if gate "$repo@$broken_digest" "$version" linux/amd64 >/dev/null 2>"$WORK_DIR/broken-gate.txt"; then
      result "smoke gate, broken double" "FAILED: the gate passed" "$((SECONDS - s)) s"; failed=1
    else
      msg=$(head -n 1 "$WORK_DIR/broken-gate.txt")
      case "$msg" in
        *'check "version" failed: expected "'"$version"'", saw "'"$version"'-broken"'*) result "smoke gate, broken double (must fail)" "failed as documented: ${msg//|/\\|}" "$((SECONDS - s)) s" ;;
        *) result "smoke gate, broken double (must fail)" "FAILED: unexpected message: ${msg//|/\\|}" "$((SECONDS - s)) s"; failed=1 ;;
      esac
    fi
  fi
fi

"$here/env.sh" check 2>>"$LOG_DIR/proof.log" && result "every daemon socket on the loopback" "yes (env.sh check)" "-" ||
  { result "every daemon socket on the loopback" "FAILED (env.sh check)" "-"; failed=1; }

{
  echo "# Rehearsal environment proof ($(date -u +%FT%TZ))"
  echo
  echo "Platforms: $(platforms_csv "$arches"). Stand-ins: the base image, the dockerfile frontend image and the"
  echo "compiled extension (test double) are built here; see rehearsal/README.md."
  echo
  echo "| step | result | time |"
  echo "| --- | --- | --- |"
  printf '%s\n' "${results[@]}"
} >"$report"
cat "$report"
[ $failed -eq 0 ] || die "proof failed (see $report)"
