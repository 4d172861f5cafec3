#!/usr/bin/env bash
# A whole admin session against the built distribution, as docs/admin-guide.md describes it:
# start Posthorn on free loopback ports, create a domain and a user with bin/posthorn shell, send
# mail with swaks to the MX port (25), to submission with STARTTLS + AUTH (587) and to implicit-TLS
# submission (465), read it with Python's imaplib over IMAPS (993), restart the IMAP bundle from
# the shell, read it again over IMAP with STARTTLS (143), and stop Posthorn.
#
#   session.sh DISTRIBUTION INSTANCE
#
# DISTRIBUTION is distribution/target/posthorn; INSTANCE a folder for this run's conf/, data/, log/
# (emptied first). Each step prints what it does; any failure ends the script with a non-zero status
# (and stops Posthorn). Needs swaks and python3. itests' SessionTest runs it on every build.
set -euo pipefail

dist=$(cd "${1:?usage: session.sh DISTRIBUTION INSTANCE}" && pwd -P)
instance=${2:?usage: session.sh DISTRIBUTION INSTANCE}
rm -rf "$instance"
mkdir -p "$instance"
instance=$(cd "$instance" && pwd -P)

export POSTHORN_CONF=$instance/conf POSTHORN_DATA=$instance/data POSTHORN_LOG=$instance/log \
       POSTHORN_CACHE=$instance/cache POSTHORN_DEPLOY=$instance/deploy
posthorn=$dist/bin/posthorn
domain=example.test
user=alice@$domain
password='correct horse battery staple'

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
shell() { "$posthorn" shell -c "$*"; }

# Free TCP ports on the loopback address, chosen by the system.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

step "configure: listeners on 127.0.0.1 and free ports instead of 25/587/465/143/993/110/995"
cp -R "$dist/conf" "$POSTHORN_CONF"
mx=$(free_port) submission=$(free_port) submissions=$(free_port)
imap=$(free_port) imaps=$(free_port) pop3=$(free_port) pop3s=$(free_port)
set_keys() {
    file=$POSTHORN_CONF/$1; shift
    for pair in "$@"; do
        key=${pair%%=*}
        grep -q "^$key=" "$file" || fail "$file has no $key"
        sed -i "s|^$key=.*|$pair|" "$file"
    done
}
set_keys org.posthorn.smtp.cfg bind.address=127.0.0.1 host.name=mx.$domain \
    mx.port=$mx submission.port=$submission submissions.port=$submissions
set_keys org.posthorn.imap.cfg bind.address=127.0.0.1 imap.port=$imap imaps.port=$imaps
set_keys org.posthorn.pop3.cfg bind.address=127.0.0.1 pop3.port=$pop3 pop3s.port=$pop3s
# any other listener (ManageSieve, ...) too, so nothing binds a well-known port
for cfg in "$POSTHORN_CONF"/*.cfg; do
    case $cfg in */org.posthorn.smtp.cfg|*/org.posthorn.imap.cfg|*/org.posthorn.pop3.cfg) continue ;; esac
    for key in $(sed -n 's/^\([a-z.]*\.port\)=[0-9].*/\1/p' "$cfg"); do
        set_keys "${cfg##*/}" "$key=$(free_port)"
    done
    if grep -q '^bind.address=' "$cfg"; then set_keys "${cfg##*/}" bind.address=127.0.0.1; fi
done
echo "MX $mx, submission $submission, submissions $submissions, IMAP $imap, IMAPS $imaps"

trap '"$posthorn" stop >/dev/null 2>&1 || true' EXIT

step "start"
"$posthorn" start

# Waits (up to 60 s) until every port given answers.
await_ports() {
    python3 - "$@" <<'PY' || fail "ports $* did not open within 60 s"
import socket, sys, time
deadline = time.monotonic() + 60
for port in map(int, sys.argv[1:]):
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(1)
            time.sleep(0.2)
PY
}
# (only plain ports: a probe that closes before its TLS handshake would linger on a TLS port)
await_ports $mx $submission $imap
# the shell answers once its bundle is up, domain-list once the user directory is ready too
for attempt in $(seq 1 120); do
    if shell posthorn:domain-list >/dev/null 2>&1; then break; fi
    [ "$attempt" -lt 120 ] || fail "bin/posthorn shell -c posthorn:domain-list did not succeed within 60 s"
    sleep 0.5
done

step "create the domain and the user (the password is read from stdin, never an argument)"
shell posthorn:domain-add $domain
printf '%s\n' "$password" | shell posthorn:user-add $user
shell posthorn:user-list $domain | grep -q "^$user " || fail "user-list does not show $user"
shell posthorn:status

step "send: MX (port $mx), submission with STARTTLS and AUTH (port $submission), implicit TLS (port $submissions)"
send() {
    out=$(swaks --server 127.0.0.1 --helo client.test "$@" --to $user \
        --header "Subject: $subject" --body "Sent by session.sh through $subject" 2>&1) \
        || { echo "$out"; fail "swaks $subject"; }
    echo "$out" | grep -E '^ *<[-~] +250 2\.0\.0 Ok: queued as ' || { echo "$out"; fail "$subject: not queued"; }
}
subject="port 25" send --port $mx --from sender@remote.test
subject="port 587" send --port $submission --tls --auth PLAIN --auth-user $user --auth-password "$password" --from $user
subject="port 465" send --port $submissions --tlsc --auth PLAIN --auth-user $user --auth-password "$password" --from $user

# Logs in over IMAPS ($1 = imaps) or IMAP with STARTTLS ($1 = starttls), trusting exactly the
# instance's self-signed certificate, and waits (up to 60 s) until the three messages are in INBOX.
read_mail() {
    python3 - "$1" "$2" "$user" "$password" "$POSTHORN_DATA/tls/self-signed.crt" <<'PY' || fail "reading over IMAP ($1)"
import imaplib, ssl, sys, time
mode, port, user, password, certificate = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
context = ssl.create_default_context(cafile=certificate)
context.check_hostname = False  # made for this machine's name; we connect to 127.0.0.1
if mode == "imaps":
    imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context)
else:
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.starttls(ssl_context=context)
imap.login(user, password)
wanted = {"port 25", "port 587", "port 465"}
deadline = time.monotonic() + 60
while True:
    subjects = set()
    if int(imap.select("INBOX", readonly=True)[1][0]) > 0:
        typ, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = {part[1].decode().split(":", 1)[1].strip() for part in data if isinstance(part, tuple)}
    if subjects >= wanted:
        break
    if time.monotonic() > deadline:
        sys.exit("missing after 60 s: %s (have %s)" % (sorted(wanted - subjects), sorted(subjects)))
    time.sleep(0.2)
typ, data = imap.search(None, "SUBJECT", '"port 587"')
typ, body = imap.fetch(data[0].split()[0], "(BODY.PEEK[TEXT])")
assert b"Sent by session.sh through port 587" in body[0][1], body
print("%s: INBOX holds %s" % (mode, ", ".join(sorted(subjects))))
imap.logout()
PY
}

step "read over IMAPS (port $imaps)"
read_mail imaps $imaps

step "restart the IMAP bundle from the shell"
shell posthorn:bundle-stop org.posthorn.imap
python3 -c "import socket; socket.create_connection(('127.0.0.1', $imap), timeout=1)" 2>/dev/null \
    && fail "IMAP still answers with the IMAP bundle stopped"
if shell posthorn:status | grep -q " imaps "; then fail "status still lists the IMAP listeners"; fi
shell posthorn:bundle-start org.posthorn.imap
await_ports $imap

step "read again over IMAP with STARTTLS (port $imap)"
read_mail starttls $imap

step "stop"
trap - EXIT
"$posthorn" stop
! "$posthorn" status >/dev/null || fail "Posthorn still runs"
echo
echo "session.sh: every step passed"
