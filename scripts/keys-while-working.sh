#!/usr/bin/env bash
# K1 measured on the real binary in a real terminal: how long a key takes to
# show on screen while a slow deployment runs (the sandbox's latency set to
# 500 ms a resource, so a task of 12 resources runs for about 6 s).
# Usage: scripts/keys-while-working.sh [path/to/certpush] [keys]
# Prints each key's time from tmux send-keys until the screen shows its
# effect (tmux's own round trip included, so an upper bound), the median and
# the worst, and the message line that shows the work running meanwhile.
set -euo pipefail
binary=${1:-.build/debug/certpush}
keys=${2:-20}
work=$(mktemp -d)
server=keys-while-working
trap 'tmux -L $server kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export CERTPUSH_DB="$work/training.sqlite" XDG_STATE_HOME="$work" XDG_CONFIG_HOME="$work"
mkdir -p "$work/certpush"
echo 'sandbox_latency_ms = 500' > "$work/certpush/config.toml"
"$binary" init >/dev/null

screen() { tmux -L $server capture-pane -p; }
wait_for() {
    local deadline=$(( $(date +%s%N) + 10000000000 ))
    until screen | grep -q -- "$1"; do
        [ "$(date +%s%N)" -lt "$deadline" ] || { echo "not on screen after 10 s: $1" >&2; screen >&2; exit 1; }
        sleep 0.001
    done
}

tmux -L $server -f /dev/null new-session -d -x 100 -y 30 "$binary"
wait_for "certificates"
# The demo wildcard on the 12 resources smart matching finds: d, basics, certificates, Add Them, resources, submit.
tmux -L $server send-keys G k d; wait_for "Deploy wildcard-example"
tmux -L $server send-keys Enter; wait_for "chosen"
tmux -L $server send-keys Enter; wait_for "Add Them"
tmux -L $server send-keys Enter Enter; wait_for "Submit"
tmux -L $server send-keys Enter; wait_for "Task t1"
# Tab to the sections, which also clears any message, so the message line shows what runs.
tmux -L $server send-keys Tab; wait_for "running: t1 deploy"
times=()
for i in $(seq "$keys"); do
    if [ $(( i % 2 )) -eq 1 ]; then key=j; want="▸ Cloud Resources"; else key=k; want="▸ Deployment Tasks"; fi
    start=$(date +%s%N)
    tmux -L $server send-keys "$key"
    wait_for "$want"
    times+=($(( ($(date +%s%N) - start) / 100000 )))
done
line=$(screen | grep "running:" || true)
tenths() { printf '%d.%d' $(( $1 / 10 )) $(( $1 % 10 )); }
for t in "${times[@]}"; do printf '%s ms\n' "$(tenths "$t")"; done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "median: $(tenths "$(echo "$sorted" | sed -n "$(( (keys + 1) / 2 ))p")") ms, worst: $(tenths "$(echo "$sorted" | tail -1)") ms, over $keys keys"
echo "while:${line}"
