#!/usr/bin/env bash
# The floor under scripts/keys-while-working.sh: the same send-keys and capture-pane round trip on a
# trivial program (bash redrawing one line per key), so that a key time of certpush can be read against
# what tmux and the polling cost by themselves on this machine at this moment.
# Usage: scripts/tmux-floor.sh   (prints the median and the worst of 30 keys)
server=floor-$$
tmux -L $server -f /dev/null new-session -d -x 100 -y 30 "bash -c 'echo ready; while IFS= read -rsn1 k; do clear; if [ \"\$k\" = j ]; then echo \"▸ Cloud Resources\"; else echo \"▸ Deployment Tasks\"; fi; done'"
screen() { tmux -L $server capture-pane -p; }
until screen | grep -q ready; do sleep 0.01; done
times=()
for i in $(seq 30); do
    if [ $(( i % 2 )) -eq 1 ]; then key=j; want="▸ Cloud Resources"; else key=k; want="▸ Deployment Tasks"; fi
    start=$(date +%s%N); tmux -L $server send-keys "$key"
    until screen | grep -q -- "$want"; do sleep 0.001; done
    times+=($(( ($(date +%s%N) - start) / 100000 )))
done
tmux -L $server kill-server
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "floor median: $(echo "$sorted" | sed -n 15p | awk '{printf "%.1f", $1/10}') ms, worst: $(echo "$sorted" | tail -1 | awk '{printf "%.1f", $1/10}') ms"
