#!/usr/bin/env bash
# A pg_trickle-like source repository served by the rehearsal's git daemon, so the main build
# context is a git URL as in production: git://127.0.0.1:<port>/pg-trickle.git#v<version>.
#
#   rehearsal/git-source.sh [version...]     default: 1.2.3 1.3.0 1.2.4
#
# The tree (git-source/, a STAND-IN: Cargo.toml with the version, Cargo.lock, src/,
# pg_trickle.control) is committed once per version with fixed author, committer and dates, and
# tagged v<version>: the same versions give the same commits on every run. Versions are
# committed in semver order on main, except one that is older than a version already
# committed, which goes on a release/<major>.<minor> branch from its line's newest tag (1.2.4
# after 1.3.0: a backport). Prints "<tag> <commit>" per version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

[ $# -gt 0 ] || set -- 1.2.3 1.3.0 1.2.4
repo=$DATA_DIR/git/pg-trickle.git
work=$WORK_DIR/git-source
rm -rf "$repo" "$work"
mkdir -p "$(dirname "$repo")"
git init -q --bare --initial-branch=main "$repo"
git init -q --initial-branch=main "$work"

export GIT_AUTHOR_NAME="pg_trickle rehearsal" GIT_AUTHOR_EMAIL="rehearsal@pg-trickle.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
git_() { git -C "$work" -c commit.gpgsign=false -c tag.gpgsign=false "$@"; }

newest_main=""
n=0
for v in "$@"; do
  n=$((n + 1))
  [[ $v =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || die "not a release version: $v"
  line="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
  if [ -n "$newest_main" ] && [ "$(printf '%s\n%s\n' "$v" "$newest_main" | sort -V | tail -n 1)" != "$v" ]; then
    # Older than main's newest: a backport on release/<line>, from the line's newest tag.
    base=$(git_ tag --list "v$line.*" --sort=-v:refname | head -n 1)
    [ -n "$base" ] || die "backport $v: no earlier v$line.* tag to branch from"
    if git_ rev-parse -q --verify "refs/heads/release/$line" >/dev/null; then
      git_ checkout -q "release/$line"
    else
      git_ checkout -q -b "release/$line" "$base"
    fi
  else
    git_ checkout -q main 2>/dev/null || true
    newest_main=$v
  fi
  # The tree of this version: the templates with the version filled in.
  find "$work" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  cp -R "$here/git-source/." "$work/"
  find "$work" -path "$work/.git" -prune -o -type f -print | xargs sed -i "s/@VERSION@/$v/g"
  date="2026-01-$(printf '%02d' "$n")T12:00:00Z"
  GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git_ add -A
  GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git_ commit -q -m "Release $v"
  GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git_ tag -a "v$v" -m "pg_trickle $v"
  echo "v$v $(git_ rev-parse HEAD)"
done
git_ checkout -q main
git_ push -q --mirror "$repo"
rm -rf "$work"
log "git source: $GIT_BASE_URL/pg-trickle.git, tags $(git -C "$repo" tag | tr '\n' ' ')"
