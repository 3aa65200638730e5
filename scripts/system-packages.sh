#!/usr/bin/env bash
# The Debian packages the tests and lego-tiny's recipe need: the one list, used by scripts/test.sh
# (`npm test`) and .ci/run. The product itself needs none of them (npm ci is enough to run the bot).
#
#   bash scripts/system-packages.sh           install the missing ones (as root, with apt-get); where it
#                                             cannot, print one line naming them and how to install, exit 1
#   bash scripts/system-packages.sh --check   only check: the same line and exit 1 when some are missing
#   bash scripts/system-packages.sh --list    print the list
#
# python3-*: the recipe's tests and the Python parity checks; redis-server: the Redis store tests;
# ffmpeg: the Debian-ffmpeg video tests; chromium + fonts-dejavu-core: the web chat's browser tests;
# libopenblas0-openmp: the BLAS python3-torch runs fastest with on a few cores.
set -uo pipefail

PACKAGES=(python3 python3-torch python3-onnx python3-numpy python3-pil libopenblas0-openmp redis-server ffmpeg chromium fonts-dejavu-core)

mode=${1:-install}
case "$mode" in
  --list) echo "${PACKAGES[*]}"; exit 0 ;;
  --check | install) ;;
  *) echo "usage: bash scripts/system-packages.sh [--check | --list]" >&2; exit 2 ;;
esac

# Without dpkg (not Debian), look for what each package provides.
provided() {
  case "$1" in
    python3) [ -x /usr/bin/python3 ] ;;
    python3-torch) /usr/bin/python3 -c 'import torch' 2>/dev/null ;;
    python3-onnx) /usr/bin/python3 -c 'import onnx' 2>/dev/null ;;
    python3-numpy) /usr/bin/python3 -c 'import numpy' 2>/dev/null ;;
    python3-pil) /usr/bin/python3 -c 'import PIL' 2>/dev/null ;;
    libopenblas0-openmp) ldconfig -p 2>/dev/null | grep -q libopenblas ;;
    redis-server | ffmpeg | chromium) command -v "$1" >/dev/null ;;
    fonts-dejavu-core) [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] ;;
    *) return 1 ;;
  esac
}

missing_packages() {
  local package
  if command -v dpkg-query >/dev/null; then
    local installed
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null | awk '$2 == "ii" { print $1 }')
    for package in "${PACKAGES[@]}"; do
      grep -qx "$package" <<<"$installed" || echo "$package"
    done
  else
    for package in "${PACKAGES[@]}"; do provided "$package" || echo "$package"; done
  fi
}

mapfile -t missing < <(missing_packages)
[ "${#missing[@]}" -eq 0 ] && exit 0

install_line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$mode" = install ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages the tests need: ${missing[*]}"
  log=$(mktemp /tmp/lego-apt.XXXXXX)
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >"$log" 2>&1 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
    rm -f "$log"
    exit 0
  fi
  tail -20 "$log"
  echo "could not install Debian packages ${missing[*]} (apt-get's log: $log); install them with: $install_line"
  exit 1
fi

if [ "$(id -u)" -ne 0 ] && command -v apt-get >/dev/null; then install_line="sudo $install_line"; fi
echo "missing Debian packages the tests need: ${missing[*]}; install them with: $install_line"
exit 1
