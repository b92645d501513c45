#!/usr/bin/env bash
# The host's layers, checked from the source: every #include "<folder>/..." between
# host/ folders must point to the same folder or one listed before it in the table of
# host/README.md (core, platform, numerics, measure, backends, io, run, report, cli).
# A backend includes no other backend (host/backends/<a>/ never reaches into
# host/backends/<b>/), and no host file reaches itself through its includes. Any violation is one line "file:line: includes X (layer above)"
# and exit 1; a malformed README (no table) is exit 2.
set -u
host=${1:?usage: check_layers.sh HOST_DIR}
readme="$host/README.md"
[ -f "$readme" ] || { echo "check_layers: $readme: not found" >&2; exit 2; }

# 1. The order: the folder names of the README table's rows, top to bottom.
mapfile -t order < <(sed -n 's/^| `\([a-z_]*\)\/` |.*/\1/p' "$readme")
[ "${#order[@]}" -ge 3 ] || { echo "check_layers: $readme: no folder table" >&2; exit 2; }
declare -A rank
for i in "${!order[@]}"; do rank[${order[$i]}]=$i; done
for d in "$host"/*/; do
  d=$(basename "$d")
  [ -n "${rank[$d]+x}" ] || { echo "check_layers: host/$d/ is not in the table of $readme" >&2; exit 2; }
done

# 2. Every quoted include of every host source, judged by its first path component.
bad=0 seen=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS= read -r -d '' f; do
  rel=${f#"$host"/}
  from=${rel%%/*}
  sub=""
  if [ "$from" = backends ]; then
    rest=${rel#backends/}
    case $rest in */*) sub=${rest%%/*} ;; esac
  fi
  while IFS=: read -r line inc; do
    seen=$((seen + 1))
    [ -f "$host/$inc" ] && echo "$rel $inc" >>"$edges"
    to=${inc%%/*}
    [ "$to" != "$inc" ] || continue # no folder: same directory or a system/generated header
    [ -n "${rank[$to]+x}" ] || continue # kernels/, qb/ (generated), ...
    if [ "${rank[$to]}" -gt "${rank[$from]}" ]; then
      echo "host/$rel:$line: includes \"$inc\": $to/ sits above $from/ (host/README.md)"
      bad=$((bad + 1))
    elif [ -n "$sub" ] && [ "$to" = backends ]; then
      irest=${inc#backends/}
      case $irest in
        */*)
          if [ "${irest%%/*}" != "$sub" ]; then
            echo "host/$rel:$line: includes \"$inc\": backend $sub reaches into another backend"
            bad=$((bad + 1))
          fi
          ;;
      esac
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
    sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
done < <(find "$host" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.inc' \) -print0)

# 3. No include circle between host files (within a folder too): tsort names the loop.
if ! loop=$(tsort "$edges" 2>&1 >/dev/null) || [ -n "$loop" ]; then
  echo "include circle: $(echo "$loop" | grep -v 'input contains a loop' | sed 's/^tsort: //' | tr '\n' ' ')"
  bad=$((bad + 1))
fi

if [ "$bad" -gt 0 ]; then
  echo "check_layers: $bad finding(s); the order is: ${order[*]}" >&2
  exit 1
fi
echo "check_layers: ${#order[@]} layers (${order[*]}), $seen quoted includes, none upward, no circle"
