# shellcheck shell=bash
# Builds of the rehearsal's own images (stand-ins, fixtures) with buildctl on the rehearsal's
# buildkitd, through BuildKit's built-in Dockerfile frontend (dockerfile.v0): these Dockerfiles
# have no `# syntax=` line, so they need no frontend image. Sourced after lib/common.sh.

# bk_push <name:tag> <dockerfile dir> [buildctl build args...]: builds and pushes; prints the
# pushed manifest digest (sha256:...). SOURCE_DATE_EPOCH=0 keeps timestamps out of the image
# config, so the same inputs give the same digest on every run.
bk_push() {
  local ref=$1 dockerfile_dir=$2; shift 2
  need_tool "$BUILDCTL" "rehearsal/build-tools.sh buildkit"
  local meta; meta=$(mktemp)
  "$BUILDCTL" --addr "$BUILDKIT_HOST" build \
    --progress plain \
    --frontend dockerfile.v0 \
    --local dockerfile="$dockerfile_dir" \
    --opt build-arg:SOURCE_DATE_EPOCH=0 \
    --output "type=image,name=$ref,push=true,oci-mediatypes=true" \
    --metadata-file "$meta" \
    "$@" >>"$LOG_DIR/buildctl.log" 2>&1 || {
    log "build of $ref failed; the end of $LOG_DIR/buildctl.log:"
    tail -n 25 "$LOG_DIR/buildctl.log" >&2
    rm -f "$meta"
    return 1
  }
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))["containerimage.digest"])' "$meta"
  rm -f "$meta"
}
