#!/usr/bin/env bash
# lego --help: median wall and CPU (user+sys) of 9 interleaved runs each, from the repository root
#   bash scripts/bench-cli-start.sh   (after npm ci: dist/ is built)
cd "$(dirname "$0")/.."
cmds=("node -e 0" "node dist/src/cli/main.js --help" "node_modules/.bin/tsx src/cli/main.ts --help" "npx lego --help")
declare -A wall cpu
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for i in $(seq 9); do
  for c in "${cmds[@]}"; do
    /usr/bin/time -o "$tmp" -f "%e %U %S" $c >/dev/null 2>&1
    read -r w u s < "$tmp"
    wall["$c"]+="$w "; cpu["$c"]+="$(awk "BEGIN{print $u + $s}") "
  done
done
med() { echo "$1" | tr ' ' '\n' | grep . | sort -n | sed -n 5p; }
for c in "${cmds[@]}"; do printf '%-48s wall %5s s   cpu %5s s\n' "$c" "$(med "${wall[$c]}")" "$(med "${cpu[$c]}")"; done
