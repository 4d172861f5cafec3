"""Verifies every DKIM-Signature of a message with dkimpy (Debian: python3-dkim).

usage: dkim_verify.py MESSAGE_FILE NAME=TXT_RECORD...
The key records are handed to dkimpy instead of asking the DNS. Prints one line per signature
and exits 0 only if there is at least one signature and all of them verify.
"""
import sys

import dkim

message = open(sys.argv[1], 'rb').read()
records = {}
for arg in sys.argv[2:]:
    name, record = arg.split('=', 1)
    records[name.rstrip('.').lower()] = record.encode('ascii')


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode('ascii')
    return records.get(name.rstrip('.').lower())


checker = dkim.DKIM(message)
count = sum(1 for name, _ in checker.headers if name.lower() == b'dkim-signature')
ok = count > 0
for i in range(count):
    try:
        passed = checker.verify(idx=i, dnsfunc=dnsfunc)
        reason = ''
    except dkim.DKIMException as e:
        passed = False
        reason = ' (%s)' % e
    print('signature %d: %s%s' % (i, 'pass' if passed else 'fail', reason))
    ok = ok and passed
sys.exit(0 if ok else 1)
