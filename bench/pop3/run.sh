#!/bin/bash
# POP3 benchmark (docs/pop3.md, section "Performance"): the shared drain load
# (../shared/bench/pop3_load.py: K users at once, RETR + DELE every message, QUIT) against
# Posthorn's POP3 server on the real Derby store, seeded through the store.
#   bench/pop3/run.sh [--dovecot] [USERS=20] [MESSAGES=250] [BYTES=4096] [PORT=12110]
# Posthorn first serves the same drain to USERS warm-up accounts (WARMUP=0 skips it), so the
# figure is that of a running server, not of one whose JIT is compiling the read path.
# --dovecot first runs the same load against the reference Dovecot of ../shared/bench
# (pop3_load.sh, seeded over SMTP through Postfix; needs root and ../shared/bench/setup.sh;
# the peers are started if they are not running and then stopped again), then Posthorn's,
# and ends with one line holding both rates and their ratio.
# The database goes to bundles/pop3/target/bench-pop3; the server's log to .../server.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
dovecot=false
if [ "${1:-}" = --dovecot ]; then dovecot=true; shift; fi
users=${1:-20} messages=${2:-250} bytes=${3:-4096} port=${4:-12110}
warm_users=$(( ${WARMUP:-1} ? users : 0 ))
peers=${PEERS_DIR:-../shared/bench}
load=${POP3_LOAD:-$peers/pop3_load.py}

rate() { sed -n 's/.* msgs_per_s=\([0-9.]*\).*/\1/p'; }

if $dovecot; then
    started=()
    for peer in dovecot postfix; do
        pidfile=${PEERS_RUN_DIR:-${TMPDIR:-/tmp}/mailpeers}/pids/$peer.pid
        if ! { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
            bash "$peers/start.sh" $peer >&2
            started+=($peer)
        fi
    done
    reference=$(bash "$peers/pop3_load.sh" 127.0.0.1 10110 127.0.0.1:10025 -k "$users" -m "$messages" \
        -l "$bytes" -L dovecot | grep '^RESULT')
    [ ${#started[@]} -eq 0 ] || bash "$peers/stop.sh" "${started[@]}" >&2
    echo "$reference"
fi

. bench/test-server.sh
dir=bundles/pop3/target/bench-pop3
start_test_server bundles/pop3 "$dir" org.posthorn.pop3.Pop3BenchmarkServer "$port" "$users" "$messages" "$bytes" "$warm_users"
server=$test_server
grep '^seeded' "$dir/server.log"
if [ "$warm_users" -gt 0 ]; then
    python3 "$load" 127.0.0.1 "$port" --users "$warm_users" --user-format 'warm%d@example.org' --pass pass \
        --label warm-up | sed 's/^RESULT /WARM-UP /'
fi
# the server's CPU time (user + system, clock ticks) during the load: unlike msg/s it hardly
# depends on what else runs on the machine
cpu() { awk '{ print $14 + $15 }' /proc/$server/stat; }
before=$(cpu)
result=$(python3 "$load" 127.0.0.1 "$port" --users "$users" --user-format 'user%d@example.org' --pass pass \
    --label posthorn | sed "s/^RESULT /RESULT size=$bytes per_user=$messages /")
cpu_s=$(awk -v t=$(( $(cpu) - before )) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')
echo "$result server_cpu_s=$cpu_s server_cpu_ms_per_msg=$(awk -v s="$cpu_s" -v n=$((users * messages)) \
    'BEGIN { printf "%.3f", 1000 * s / n }')"
if $dovecot; then
    ours=$(echo "$result" | rate) theirs=$(echo "$reference" | rate)
    echo "SIDE-BY-SIDE posthorn_msgs_per_s=$ours dovecot_msgs_per_s=$theirs" \
        "ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')" \
        "load_average=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
fi
