#!/usr/bin/env bash
# Time from launching the console to its first screen, in a real terminal.
# Usage: scripts/first-screen.sh [path/to/certpush] [runs] [database]
# Prints one figure per run (ms) and the median. Without a database one is
# made before timing, so the figure is the start-up of an existing install;
# give one made by `certpush-bench make-db` to measure at scale.
set -euo pipefail
binary=${1:-.build/debug/certpush}
runs=${2:-10}
work=$(mktemp -d)
server=""
trap '[ -z "$server" ] || tmux -L "$server" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export CERTPUSH_DB="${3:-$work/bench.sqlite}" XDG_STATE_HOME="$work" XDG_CONFIG_HOME="$work"
[ -n "${3:-}" ] || "$binary" init >/dev/null

times=()
for run in $(seq "$runs"); do
    # A server of its own each run: a new one under the name of one shutting down may die with it.
    server="first-screen-$$-$run"
    start=$(date +%s%N)
    tmux -L "$server" -f /dev/null new-session -d -x 100 -y 30 "$binary"
    deadline=$(( start + 10000000000 ))
    until tmux -L "$server" capture-pane -p 2>/dev/null | grep -q "certificates"; do
        if [ "$(date +%s%N)" -gt "$deadline" ]; then
            echo "no certificate list on screen after 10 s (does the database open with this keyring?)" >&2
            exit 1
        fi
        sleep 0.002
    done
    end=$(date +%s%N)
    tmux -L "$server" kill-server
    times+=($(( (end - start) / 1000000 )))
done
printf '%s ms\n' "${times[@]}"
printf 'median: %s ms, worst: %s ms\n' "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")" \
    "$(printf '%s\n' "${times[@]}" | sort -n | tail -1)"
