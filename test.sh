#!/usr/bin/env bash
# Runs every test: installs the Debian packages the tests use when they are missing, then
# `./mvnw verify -Pimage` with any arguments given (./test.sh -pl executor-core -am): the build
# makes the container image too, and ImageIT runs it.
#
# The tests switch users and create an account to switch to, so they run as root. A run that
# cannot have what it needs stops here, before the build, and says what to do.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: the tests create a user account and run processes as it, which needs root." >&2
  echo "test.sh: run it as root, for example: sudo ./test.sh" >&2
  exit 1
fi

if ! command -v java >/dev/null && [ -z "${JAVA_HOME:-}" ]; then
  echo "test.sh: no Java found; install a JDK 17 or newer (on Debian: apt-get install default-jdk-headless)," >&2
  echo "test.sh: or set JAVA_HOME, then run it again." >&2
  exit 1
fi

# command or file -> the Debian package that brings it
declare -A needs=(
  [setpriv]=util-linux            # switching users
  [useradd]=passwd                # the tests' own account
  [node]=nodejs [npm]=npm         # Kernel's TypeScript SDK and Playwright
  [/usr/lib/chromium/chromium]=chromium
  [Xvfb]=xvfb                     # headful sessions
  [zip]=zip                       # archives as users' tools make them
  [mmdebstrap]=mmdebstrap         # the container image's Debian base
  [xdotool]=xdotool               # the computer controls: mouse and keyboard,
  [xwd]=x11-apps                  # screenshots,
  [xmodmap]=x11-xserver-utils     # keys for characters beyond the keyboard,
  [xclip]=xclip                   # and the clipboard;
  [ffmpeg]=ffmpeg                 # replays, and ffprobe to check them;
  [unclutter-classic]=unclutter   # the pointer hidden;
  [x11vnc]=x11vnc                 # the live view's VNC server
  [/usr/share/novnc/core/rfb.js]=novnc  # and its page's VNC client
  [ip]=iproute2 [nft]=nftables    # a network namespace per session,
  [socat]=socat                   # the server's way in to its browser,
  [curl]=curl                     # what sessions fetch over it
)
missing=()
for thing in "${!needs[@]}"; do
  if [[ $thing == /* ]]; then [ -e "$thing" ] && continue; else command -v "$thing" >/dev/null && continue; fi
  missing+=("${needs[$thing]}")
done

if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if ! command -v apt-get >/dev/null; then
    echo "test.sh: missing, and no apt-get to install them with: ${missing[*]}" >&2
    echo "test.sh: install these Debian packages (or your system's equivalents), then run it again." >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; }; then
    echo "test.sh: could not install ${missing[*]}; install them by hand, then run it again." >&2
    exit 1
  fi
fi

exec ./mvnw verify -Pimage "$@"
