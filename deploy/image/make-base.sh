#!/usr/bin/env bash
# Makes the base of procgate's container image: a Debian root file system with Chromium, Xvfb, a
# Java 17 runtime, tini, the tools of the computer controls (xdotool, xwd, xmodmap, xclip, unclutter,
# ffmpeg, x11vnc, noVNC) and Node.js with playwright-core for playwright/execute, written as a
# one-layer image archive (the `docker save` layout) that Jib takes as a `tar://` base.
#
#   deploy/image/make-base.sh OUTPUT.tar
#
# Needs root, mmdebstrap (Debian package) and npm, and no container runtime. The packages come from
# the apt sources this machine uses (on Debian, Debian's own), for this machine's Debian release and
# architecture, so the image runs what the tests here run; playwright-core comes from the npm
# registry. An OUTPUT newer than this script is kept
# as it is.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTPUT.tar" >&2
  exit 2
fi
output=$1
if [ -s "$output" ] && [ "$output" -nt "$0" ]; then
  echo "make-base: $output is up to date"
  exit 0
fi
# The newest playwright-core that runs on bookworm's Node.js 18; it downloads no browser.
playwright=playwright-core@1.61.1
for tool in mmdebstrap sha256sum dpkg npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "make-base: needs $tool (on Debian: apt-get install mmdebstrap npm)" >&2
    exit 1
  fi
done

. /etc/os-release
suite=${VERSION_CODENAME:?make-base: /etc/os-release names no Debian release}
architecture=$(dpkg --print-architecture)

# The host's own sources, each file passed as it is: mmdebstrap reads each in its own format
# (one-line or deb822), where joining them would lose entries.
sources=()
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [ -s "$file" ]; then
    sources+=("$file")
  fi
done
if ((${#sources[@]} == 0)); then
  echo "make-base: found no apt sources in /etc/apt" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work" "$output.partial"' EXIT

# tini as PID 1 reaps the processes sessions orphan, which a JVM as PID 1 would leave as zombies.
# update-alternatives writes man page links, so their directory stays although man pages do not.
mmdebstrap --quiet --variant=apt --architectures="$architecture" \
  --include=chromium,xvfb,openjdk-17-jre-headless,tini,ca-certificates,fonts-liberation,util-linux,xdotool,x11-apps,x11-xserver-utils,xclip,unclutter,ffmpeg,x11vnc,novnc,nodejs \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
  --customize-hook="npm install --silent --no-audit --no-fund --prefix \"\$1/opt/playwright\" $playwright" \
  --customize-hook='chroot "$1" node -e "require(\"/opt/playwright/node_modules/playwright-core\")"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  --customize-hook='rm -f "$1"/etc/hostname "$1"/etc/resolv.conf' \
  "$suite" "$work/layer.tar" "${sources[@]}"

diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<EOF
{"architecture":"$architecture","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "PROCGATE_PLAYWRIGHT_MODULES=/opt/playwright/node_modules"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created_by":"deploy/image/make-base.sh: mmdebstrap $suite"}]}
EOF
cat > "$work/manifest.json" <<EOF
[{"Config":"config.json","RepoTags":["procgate-base:$suite"],"Layers":["layer.tar"]}]
EOF
mkdir -p "$(dirname "$output")"
tar -cf "$output.partial" -C "$work" manifest.json config.json layer.tar
mv "$output.partial" "$output"
echo "make-base: $output ($suite, $architecture, $(du -h "$output" | cut -f1))"
