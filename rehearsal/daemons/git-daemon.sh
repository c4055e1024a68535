# shellcheck shell=bash
# git daemon on 127.0.0.1: serves the repositories under $DATA_DIR/git read-only over git://,
# so a build context can be git://127.0.0.1:<port>/<repo>.git#<ref> as in production.

git_daemon_start() {
  local base=$DATA_DIR/git
  mkdir -p "$base"
  require_free_port "$GIT_PORT" "git daemon"
  start_daemon git-daemon git daemon --listen=127.0.0.1 --port="$GIT_PORT" --reuseaddr \
    --base-path="$base" --export-all --informative-errors "$base"
  # Any answer (even "no such repository") shows it listens; the repositories come later.
  wait_daemon git-daemon 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$GIT_PORT"
}

git_daemon_stop() { stop_daemon git-daemon 10; }
