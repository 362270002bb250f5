#!/usr/bin/env bash
# Make a real Docker daemon and the registry-free test image available.
#
# Works on a machine that only has the docker CLI client, as root, with network access to
# the Debian apt mirrors but not to Docker Hub. Idempotent: when the daemon answers and the
# image exists it only runs two quick docker commands.
#
# Environment:
#   CONSOLIDATE_DOCKERD_FLAGS  extra flags appended to the dockerd command line
#   CONSOLIDATE_DOCKERD_LOG    dockerd log file (default /tmp/consolidate-dockerd.log)
set -euo pipefail

IMAGE="consolidate-test/busybox:latest"
LOG="${CONSOLIDATE_DOCKERD_LOG:-/tmp/consolidate-dockerd.log}"
LOCK="/tmp/consolidate-docker-up.lock"
WAIT_SECONDS=60

daemon_status=""
image_status=""

log() { printf 'docker-up: %s\n' "$*" >&2; }

daemon_answers() { docker info >/dev/null 2>&1; }

# Installing packages and starting dockerd need root; use sudo when not root.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo -n)
fi

install_engine() {
  log "dockerd not found; installing Debian package docker.io"
  ${SUDO[@]+"${SUDO[@]}"} apt-get update -qq >/dev/null
  # --no-install-recommends skips apparmor, criu, needrestart, ... (not needed here).
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 docker.io >/dev/null
}

# Flags chosen from what the kernel offers. On a kernel with overlayfs and working
# iptables (nf_tables backend) plain defaults work; otherwise fall back to the vfs
# storage driver and/or the userland proxy without iptables rules.
dockerd_flags() {
  local flags=()
  if ! grep -qw overlay /proc/filesystems 2>/dev/null; then
    flags+=(--storage-driver=vfs)
  fi
  if ! command -v iptables >/dev/null 2>&1 || ! iptables -t nat -L -n >/dev/null 2>&1; then
    flags+=(--iptables=false --ip6tables=false)
  fi
  if [ -n "${CONSOLIDATE_DOCKERD_FLAGS:-}" ]; then
    # shellcheck disable=SC2206  # word splitting intended
    flags+=(${CONSOLIDATE_DOCKERD_FLAGS})
  fi
  if [ "${#flags[@]}" -gt 0 ]; then printf '%s\n' "${flags[@]}"; fi
}

start_daemon() {
  local flags=()
  mapfile -t flags < <(dockerd_flags)
  log "starting dockerd${flags[*]+" ${flags[*]}"} (log: $LOG)"
  : >"$LOG"
  # setsid + nohup: the daemon must outlive this script and the test session. All three
  # standard streams are redirected so a caller capturing our output is not kept waiting,
  # and the lock descriptor is closed so the daemon does not hold the lock forever.
  ${SUDO[@]+"${SUDO[@]}"} setsid nohup dockerd ${flags[@]+"${flags[@]}"} \
    >>"$LOG" 2>&1 </dev/null 9>&- &
  local pid=$!
  local deadline=$((SECONDS + WAIT_SECONDS))
  until daemon_answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "dockerd did not answer within ${WAIT_SECONDS}s; last lines of $LOG:"
      tail -n 40 "$LOG" >&2 || true
      exit 1
    fi
    if ! kill -0 "$pid" 2>/dev/null && ! pgrep -x dockerd >/dev/null 2>&1; then
      log "dockerd exited; last lines of $LOG:"
      tail -n 40 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

WORK=""
cleanup() { if [ -n "$WORK" ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT

build_image() {
  local work deb
  WORK="$(mktemp -d)"
  work="$WORK"
  # apt drops privileges to _apt for downloads; let it write here (avoids a warning).
  if id _apt >/dev/null 2>&1; then chown _apt "$work" 2>/dev/null || true; fi
  (cd "$work" && apt-get download -qq busybox-static >/dev/null 2>&1) || {
    ${SUDO[@]+"${SUDO[@]}"} apt-get update -qq >/dev/null
    (cd "$work" && apt-get download -qq busybox-static >/dev/null)
  }
  deb="$(find "$work" -maxdepth 1 -name 'busybox-static_*.deb' | head -n 1)"
  if [ -z "$deb" ]; then
    log "could not download busybox-static"
    exit 1
  fi
  dpkg-deb -x "$deb" "$work/pkg"

  local rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,proc,sys,dev,var/www,www}
  install -d -m 1777 "$rootfs/tmp"
  install -m 0755 "$work/pkg/bin/busybox" "$rootfs/bin/busybox"
  local applet
  # --list-full prints paths like "bin/sh", "usr/sbin/httpd" (busybox-static runs on the host).
  while IFS= read -r applet; do
    case "$applet" in "" | bin/busybox) continue ;; esac
    mkdir -p "$rootfs/$(dirname "$applet")"
    ln -sf /bin/busybox "$rootfs/$applet"
  done < <("$rootfs/bin/busybox" --list-full)
  for applet in sh ls cat echo sleep true false; do
    [ -e "$rootfs/bin/$applet" ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  for applet in httpd wget env; do
    [ -e "$rootfs/usr/bin/$applet" ] || [ -e "$rootfs/usr/sbin/$applet" ] ||
      ln -sf /bin/busybox "$rootfs/usr/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
    >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
    docker import \
      --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["sh"]' \
      - "$IMAGE" >/dev/null
  local out
  out="$(docker run --rm "$IMAGE" sh -c 'echo hi' 2>&1)" || true
  if [ "$out" != "hi" ]; then
    log "image $IMAGE was imported but 'sh -c echo hi' printed: $out"
    exit 1
  fi
}

# Serialise concurrent runs (e.g. several pytest workers) so only one installs, starts
# dockerd and builds the image; the others then find everything in place.
if command -v flock >/dev/null 2>&1 && { exec 9>>"$LOCK"; } 2>/dev/null; then
  if ! flock -w 300 9; then
    log "timed out waiting for lock $LOCK"
    exit 1
  fi
fi

if daemon_answers; then
  daemon_status="daemon already running"
else
  if ! command -v dockerd >/dev/null 2>&1; then
    install_engine
  fi
  if daemon_answers; then
    daemon_status="daemon already running"
  else
    start_daemon
    daemon_status="daemon started"
  fi
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  image_status="image $IMAGE present"
else
  build_image
  image_status="image $IMAGE built"
fi

echo "docker-up: $daemon_status; $image_status"
