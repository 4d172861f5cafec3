#!/bin/bash
# IMAP benchmark side by side with Dovecot (docs/performance.md): the same imaptest load
# (../shared/bench/imap_load.sh: imaptest's random command mix with state checking, users
# user1..USERS, password pass, a generated 200-message mbox) first against Posthorn's IMAP server
# on the real Derby store, then against the reference Dovecot of ../shared/bench (restarted here
# with an empty store; stop it with ../shared/bench/stop.sh). Prints both RESULT lines and the ratio.
#   bench/imap/run.sh [SECS=60] [USERS=50] [CLIENTS=20] [PORT=13143]
# Env: IMAPTEST (the imaptest binary, else .tools/bin or PATH), COMPLIANCE=1 also runs imaptest's
# scripted tests (IMAPTEST_TESTS=<imaptest>/src/tests) against both, SKIP_DOVECOT=1 only Posthorn.
# imaptest is not packaged in Debian; build it from its public sources outside this repository.
# The database goes to bundles/imap/target/bench-imap; the server's log to .../server.log.
# BENCH_JAVA_OPTS adds JVM options (e.g. -XX:StartFlightRecording=filename=imap.jfr).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60} users=${2:-50} clients=${3:-20} port=${4:-13143}
peers=${PEERS_DIR:-../shared/bench}
flags=(-u "$users" -c "$clients" -s "$secs")
[ "${COMPLIANCE:-0}" = 1 ] && flags+=(-C)
. bench/test-server.sh
dir=bundles/imap/target/bench-imap
start_test_server bundles/imap "$dir" org.posthorn.imap.ImapBenchmarkServer "$port" "$users"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
IMAP_LOAD_KEEP_LOG="$dir/imaptest.log" bash "$peers/imap_load.sh" 127.0.0.1 "$port" "${flags[@]}" -L posthorn \
    > "$dir/posthorn.result"
cat "$dir/posthorn.result"
ours=$(grep '^RESULT label=posthorn ' "$dir/posthorn.result")
stop_test_server
grep -E ' (ERROR|WARN) ' "$dir/server.log" | sed -E 's/^[0-9:.]+ //' | cut -c1-160 | sort | uniq -c | sort -rn | head -5 || true
[ "${SKIP_DOVECOT:-0}" = 1 ] && exit 0
bash "$peers/stop.sh" dovecot >&2   # a fresh, empty store, as Posthorn has
bash "$peers/start.sh" dovecot >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bash "$peers/imap_load.sh" 127.0.0.1 10143 "${flags[@]}" -L dovecot > "$dir/dovecot.result"
cat "$dir/dovecot.result"
theirs=$(grep '^RESULT label=dovecot ' "$dir/dovecot.result")
ops() { sed -E 's/.* ops_per_s=([0-9.]+).*/\1/' <<<"$1"; }
awk -v p="$(ops "$ours")" -v d="$(ops "$theirs")" \
    'BEGIN { printf "posthorn %.1f ops/s, dovecot %.1f ops/s, posthorn/dovecot %.2f\n", p, d, p / d }'
