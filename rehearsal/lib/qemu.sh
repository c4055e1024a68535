# shellcheck shell=bash
# QEMU user emulation for linux/arm64 builds and runs (Debian's qemu-user-static and
# binfmt-support). This is kernel state, not rehearsal state: it is enabled when missing and
# left enabled (another process may rely on it), as the release workflow's QEMU step does.

# enable_qemu_arm64: succeeds when an arm64 binary runs on this machine.
enable_qemu_arm64() {
  [ "$(uname -m)" = aarch64 ] && return 0
  if [ ! -f /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null ||
      { log "arm64: cannot mount binfmt_misc (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc)"; return 1; }
  fi
  if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
    command -v update-binfmts >/dev/null || { log "arm64: update-binfmts missing: apt-get install binfmt-support qemu-user-static"; return 1; }
    update-binfmts --enable qemu-aarch64 >&2 || { log "arm64: update-binfmts --enable qemu-aarch64 failed"; return 1; }
  fi
  # The F flag makes the kernel keep the interpreter open: it then works in containers too.
  grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
    { log "arm64: qemu-aarch64 is registered without the F (fix binary) flag; containers cannot use it"; return 1; }
}
