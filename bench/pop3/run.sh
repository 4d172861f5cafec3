#!/bin/bash
# POP3 benchmark (docs/pop3.md, section "Performance"): the shared drain load
# (../shared/bench/pop3_load.py: K users at once, RETR + DELE every message, QUIT) against
# Posthorn's POP3 server on the real Derby store, seeded through the store.
#   bench/pop3/run.sh [USERS=20] [MESSAGES=250] [BYTES=4096] [PORT=12110]
# The database goes to bundles/pop3/target/bench-pop3; the server's log to .../server.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${1:-20} messages=${2:-250} bytes=${3:-4096} port=${4:-12110}
load=${POP3_LOAD:-../shared/bench/pop3_load.py}
module=bundles/pop3
mvn -B -q -pl $module -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
dir=$module/target/bench-pop3
rm -rf "$dir" && mkdir -p "$dir"
mkfifo "$dir/stdin"
java -Xmx1g -cp "$module/target/test-classes:$module/target/classes:$(cat $module/target/bench.classpath)" \
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
python3 "$load" 127.0.0.1 "$port" --users "$users" --user-format 'user%d@example.org' --pass pass \
    --label posthorn | sed "s/^RESULT /RESULT size=$bytes per_user=$messages /"
