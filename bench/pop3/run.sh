#!/bin/bash
# POP3 benchmark (docs/pop3.md, section "Performance"): the shared drain load
# (../shared/bench/pop3_load.py: K users at once, RETR + DELE every message, QUIT) against
# Posthorn's POP3 server on the real Derby store, seeded through the store.
#   bench/pop3/run.sh [--dovecot] [USERS=20] [MESSAGES=250] [BYTES=4096] [PORT=12110]
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
peers=${PEERS_DIR:-../shared/bench}
load=${POP3_LOAD:-$peers/pop3_load.py}
module=bundles/pop3

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

mvn -B -q -pl $module -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
dir=$module/target/bench-pop3
rm -rf "$dir" && mkdir -p "$dir"
mkfifo "$dir/stdin"
java -Xmx1g ${BENCH_JAVA_OPTS:-} \
    -cp "$module/target/test-classes:$module/target/classes:$(cat $module/target/bench.classpath)" \
    org.posthorn.pop3.Pop3BenchmarkServer "$dir" "$port" "$users" "$messages" "$bytes" \
    < "$dir/stdin" > "$dir/server.log" 2>&1 &
server=$!
exec 3> "$dir/stdin"   # the server serves while this stays open
trap 'exec 3>&-; wait $server' EXIT
until grep -q '^READY' "$dir/server.log"; do
    kill -0 $server 2>/dev/null || { cat "$dir/server.log"; exit 1; }
    sleep 1
done
grep '^seeded' "$dir/server.log"
result=$(python3 "$load" 127.0.0.1 "$port" --users "$users" --user-format 'user%d@example.org' --pass pass \
    --label posthorn | sed "s/^RESULT /RESULT size=$bytes per_user=$messages /")
echo "$result"
if $dovecot; then
    ours=$(echo "$result" | rate) theirs=$(echo "$reference" | rate)
    echo "SIDE-BY-SIDE posthorn_msgs_per_s=$ours dovecot_msgs_per_s=$theirs" \
        "ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')" \
        "load_average=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
fi
