#!/usr/bin/env bash
# Side-by-side benchmark (issue 11): Posthorn and the reference servers under the same loads,
# back to back in one run. See docs/performance.md, "Side by side".
#   bench/run.sh                 build, then Posthorn, then Postfix+Dovecot
#   bench/run.sh --no-build      use distribution/target/posthorn as it is
# Needs root and the reference peers of ../shared/bench (run its setup.sh once). Knobs
# (environment, defaults): PEERS_DIR=../shared/bench, BENCH_PEERS="pd" (pd = Postfix+Dovecot,
# gm = GreenMail; both: "pd gm"; empty: Posthorn alone), BENCH_SUITE=full (smtp, imap or
# pop3: only that protocol's loads, for before/after figures of one change), IMAP_SECS=60, COMPLIANCE=0, IMAPTEST
# (binary; else /work/tools/bin/imaptest, then as ../shared/bench/imap_load.sh looks), BENCH_JAVA_OPTS (added to
# Posthorn's JAVA_OPTS, e.g. -XX:StartFlightRecording=filename=bench/target/run.jfr),
# BENCH_CONF ("FILE KEY VALUE; ..." set in the instance's conf), BENCH_DOC=docs/performance.md
# (where the table is appended; empty: nowhere), and every knob
# of run_suite.sh (SMTP_N, SMTP_C, SMTP_SIZE, SMTP_R10_N, POP3_K, POP3_M, WARMUP_N).
# Posthorn runs from bench/target/instance (conf copied from the distribution, listeners on
# 127.0.0.1:12025/12143/12110, plain-text login allowed for the load tools). Every server this
# script started is stopped when it ends, also on failure; peers already running are left alone.
# One run at a time on a machine (the ports are fixed): a second run waits for the first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
exec 9> "${TMPDIR:-/tmp}/posthorn-bench.lock"
flock 9
build=true
[ "${1:-}" = --no-build ] && build=false
PEERS_DIR=$(cd "${PEERS_DIR:-$root/../shared/bench}" && pwd)
. "$PEERS_DIR/common.sh"
export IMAP_SECS=${IMAP_SECS:-60} COMPLIANCE=${COMPLIANCE:-0}
if [ -z "${IMAPTEST:-}" ] && [ -x /work/tools/bin/imaptest ]; then IMAPTEST=/work/tools/bin/imaptest; fi
export IMAPTEST=${IMAPTEST:-}
BENCH_PEERS=${BENCH_PEERS-pd}
BENCH_SUITE=${BENCH_SUITE:-full}
SMTP_PORT=12025 IMAP_PORT=12143 POP3_PORT=12110

dist=$root/distribution/target/posthorn
out=$root/bench/target
inst=$out/instance
export POSTHORN_CONF=$inst/conf POSTHORN_DATA=$inst/data POSTHORN_LOG=$inst/log
export POSTHORN_CACHE=$inst/cache POSTHORN_DEPLOY=$inst/deploy
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$out/results-$stamp.txt
: > "$results"

started_peers=()
posthorn_up=false
cleanup() {
    if $posthorn_up; then "$dist/bin/posthorn" stop >&2 || true; fi
    [ ${#started_peers[@]} -eq 0 ] || bash "$PEERS_DIR/stop.sh" "${started_peers[@]}" >&2 || true
    rm -f "$out/password"
}
trap cleanup EXIT

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
note() { echo "NOTE $*" >> "$results"; }

if $build; then
    log "building the distribution"
    mvn -B -q package -DskipTests
fi
[ -x "$dist/bin/posthorn" ] || die "no distribution in $dist (run without --no-build)"

# --- Posthorn: a fresh instance with the benchmark configuration ---------------------------
rm -rf "$inst"
mkdir -p "$inst"
cp -r "$dist/conf" "$POSTHORN_CONF"
set_key() {  # set_key FILE KEY VALUE: replaces the key's line, or appends it
    local f=$POSTHORN_CONF/$1
    touch "$f"
    if grep -q "^$2=" "$f"; then sed -i "s|^$2=.*|$2=$3|" "$f"; else echo "$2=$3" >> "$f"; fi
}
set_key org.posthorn.smtp.cfg bind.address 127.0.0.1
set_key org.posthorn.smtp.cfg host.name mx.example.test
set_key org.posthorn.smtp.cfg mx.port $SMTP_PORT
set_key org.posthorn.smtp.cfg submission.enabled false
set_key org.posthorn.smtp.cfg submissions.enabled false
set_key org.posthorn.smtp.cfg max.connections.per.address 1000
set_key org.posthorn.imap.cfg bind.address 127.0.0.1
set_key org.posthorn.imap.cfg imap.port $IMAP_PORT
set_key org.posthorn.imap.cfg imaps.port -1
set_key org.posthorn.imap.cfg plaintext.login.allowed true
set_key org.posthorn.imap.cfg max.connections.per.address 1000
set_key org.posthorn.pop3.cfg bind.address 127.0.0.1
set_key org.posthorn.pop3.cfg pop3.port $POP3_PORT
set_key org.posthorn.pop3.cfg pop3s.enabled false
set_key org.posthorn.pop3.cfg auth.plaintext.allowed true
set_key org.posthorn.pop3.cfg max.connections.per.address 1000
set_key org.posthorn.store.cfg default.domain "$BENCH_DOMAIN"
# The reference servers check no SPF, DKIM or DMARC (and a sandbox's DNS may not answer, which
# makes every check wait for its timeouts): no listener gets the checks, like with like.
set_key org.posthorn.mailauth.verify.cfg listeners none
set_key org.posthorn.queue.cfg host.name mx.example.test
# BENCH_CONF="FILE KEY VALUE; ...": more settings, e.g. "org.posthorn.queue.cfg workers 16"
IFS=';' read -r -a extra <<< "${BENCH_CONF:-}"
for setting in "${extra[@]}"; do
    read -r f k v <<< "$setting"
    [ -z "${f:-}" ] || set_key "$f" "$k" "$v"
done

idle_load=$(loadavg)
log "starting Posthorn (load average $idle_load)"
t0=$(date +%s.%N)
JAVA_OPTS="${JAVA_OPTS:-} ${BENCH_JAVA_OPTS:-}" "$dist/bin/posthorn" start >&2
posthorn_up=true
for port in $SMTP_PORT $IMAP_PORT $POP3_PORT; do
    wait_port 127.0.0.1 $port 300 || { tail -30 "$POSTHORN_LOG/posthorn.log" >&2; die "port $port not up"; }
done
t1=$(date +%s.%N)
pid=$(cat "$POSTHORN_DATA/posthorn.pid")
echo "RESULT name=posthorn label=startup target=$pid startup_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') load=\"$idle_load\"" >> "$results"

log "provisioning $BENCH_DOMAIN and its users through bin/posthorn shell"
# the listeners may accept before the store has migrated its schema: wait for the directory
for ((i = 0; i < 300; i++)); do
    "$dist/bin/posthorn" shell -c "posthorn:domain-list" >/dev/null 2>&1 && break
    sleep 1
done
(umask 077 && printf '%s\n' "$BENCH_PASS" > "$out/password")
{
    echo "posthorn:domain-add $BENCH_DOMAIN"
    bench_users | while read -r u; do echo "posthorn:user-add $u@$BENCH_DOMAIN --password-file $out/password"; done
    echo "posthorn:alias-add postmaster@$BENCH_DOMAIN bench@$BENCH_DOMAIN"
} | "$dist/bin/posthorn" shell >/dev/null
rm -f "$out/password"

cpu_s() {  # user+system CPU seconds of the numeric PIDs among the arguments (empty if none)
    local p sum="" hz; hz=$(getconf CLK_TCK)
    for p in "$@"; do
        [[ $p =~ ^[0-9]+$ ]] || continue
        sum=$(awk -v s="${sum:-0}" -v hz="$hz" '{printf "%.2f", s + ($14 + $15) / hz}' "/proc/$p/stat")
    done
    echo "$sum"
}

run_suite() {  # NAME SMTP IMAP POP3 MEM...
    local name=$1
    note "$name start $(date -u +%H:%M:%S) load=\"$(loadavg)\""
    local mems=("${@:5}") t
    # JVM CPU seconds spent on the loads (less sensitive to a busy machine than the rates)
    local cpu0; cpu0=$(cpu_s "${mems[@]}")
    [ "$BENCH_SUITE" = full ] || for t in "${mems[@]}"; do
        bash "$PEERS_DIR/mem.sh" "$t" mem_idle | sed "s/^RESULT /RESULT name=$name /" | tee -a "$results"
    done
    if [ "$BENCH_SUITE" = imap ]; then
        python3 "$PEERS_DIR/mailcheck.py" purge "${3%:*}" "${3#*:}" --pass "$BENCH_PASS" \
            $(for ((i = 1; i <= ${IMAP_USERS:-50}; i++)); do echo "user$i"; done)
        bash "$PEERS_DIR/imap_load.sh" "${3%:*}" "${3#*:}" -u "${IMAP_USERS:-50}" -c "${IMAP_CLIENTS:-20}" \
            -s "$IMAP_SECS" $([ "$COMPLIANCE" = 1 ] && echo -C) -L imap \
            | sed "s/^RESULT /RESULT name=$name /" | tee -a "$results"
    elif [ "$BENCH_SUITE" = pop3 ]; then
        bash "$PEERS_DIR/pop3_load.sh" "${4%:*}" "${4#*:}" "$2" -k "${POP3_K:-20}" -m "${POP3_M:-250}" \
            -l "${SMTP_SIZE:-4096}" -L pop3 | sed "s/^RESULT /RESULT name=$name /" | tee -a "$results"
    elif [ "$BENCH_SUITE" = smtp ]; then
        bash "$PEERS_DIR/smtp_load.sh" "${2%:*}" "${2#*:}" -n "${WARMUP_N:-500}" -c 10 -V "$3" -L warmup >/dev/null
        local r
        for r in 1 10; do
            python3 "$PEERS_DIR/mailcheck.py" purge "${3%:*}" "${3#*:}" --pass "$BENCH_PASS" bench \
                2bench 3bench 4bench 5bench 6bench 7bench 8bench 9bench 10bench
            bash "$PEERS_DIR/smtp_load.sh" "${2%:*}" "${2#*:}" -n "$([ $r = 1 ] && echo "${SMTP_N:-5000}" ||
                echo "${SMTP_R10_N:-5000}")" -c "${SMTP_C:-20}" -l "${SMTP_SIZE:-4096}" -r $r -V "$3" \
                -L smtp_r$r | sed "s/^RESULT /RESULT name=$name /" | tee -a "$results"
        done
    else
        bash "$PEERS_DIR/run_suite.sh" "$@" | tee -a "$results"
        mems=()
    fi
    for t in "${mems[@]}"; do
        bash "$PEERS_DIR/mem.sh" "$t" mem_after_all | sed "s/^RESULT /RESULT name=$name /" | tee -a "$results"
    done
    local cpu1; cpu1=$(cpu_s "${@:5}")
    [ -z "$cpu0" ] || echo "RESULT name=$name label=cpu suite=$BENCH_SUITE cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{printf "%.1f", b-a}')" | tee -a "$results"
    note "$name end $(date -u +%H:%M:%S) load=\"$(loadavg)\""
}

run_suite posthorn 127.0.0.1:$SMTP_PORT 127.0.0.1:$IMAP_PORT 127.0.0.1:$POP3_PORT "$pid"
"$dist/bin/posthorn" stop >&2
posthorn_up=false

# --- Reference servers, right after -------------------------------------------------------
start_peer() {
    if ! { [ -s "$PIDS_DIR/$1.pid" ] && pid_alive "$(cat "$PIDS_DIR/$1.pid")"; }; then
        bash "$PEERS_DIR/start.sh" "$1" >&2
        started_peers+=("$1")
    fi
}
for p in $BENCH_PEERS; do
    case $p in
        pd) start_peer dovecot; start_peer postfix
            run_suite postfix+dovecot 127.0.0.1:$POSTFIX_SMTP_PORT 127.0.0.1:$DOVECOT_IMAP_PORT \
                127.0.0.1:$DOVECOT_POP3_PORT postfix dovecot ;;
        gm) start_peer greenmail
            run_suite greenmail 127.0.0.1:$GREENMAIL_SMTP_PORT 127.0.0.1:$GREENMAIL_IMAP_PORT \
                127.0.0.1:$GREENMAIL_POP3_PORT greenmail ;;
        *) die "unknown peer set $p (pd, gm)" ;;
    esac
done

# --- Table ----------------------------------------------------------------------------------
table=$out/table-$stamp.md
python3 "$root/bench/table.py" "$results" \
    --command "bench/run.sh${1:+ $1}" --imaptest "${IMAPTEST:-}" > "$table"
cat "$table"
if [ -n "${BENCH_DOC-docs/performance.md}" ]; then
    cat "$table" >> "$root/${BENCH_DOC:-docs/performance.md}"
    log "appended to ${BENCH_DOC:-docs/performance.md}; raw results in $results"
fi
