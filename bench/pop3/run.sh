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
. bench/test-server.sh
dir=bundles/pop3/target/bench-pop3
start_test_server bundles/pop3 "$dir" org.posthorn.pop3.Pop3BenchmarkServer "$port" "$users" "$messages" "$bytes"
grep '^seeded' "$dir/server.log"
python3 "$load" 127.0.0.1 "$port" --users "$users" --user-format 'user%d@example.org' --pass pass \
    --label posthorn | sed "s/^RESULT /RESULT size=$bytes per_user=$messages /"
