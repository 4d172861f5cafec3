"""A whole POP3 session with Python's poplib, as a mail client would run it.

Usage: poplib_session.py HOST PORT CAFILE stls|ssl USER PASSWORD

Prints what it saw as "key: value" lines for the calling test to check; exits non-zero on
any error (poplib raises error_proto for a -ERR reply).
"""
import poplib
import ssl
import sys

host, port, cafile, mode, user, password = sys.argv[1:7]
context = ssl.create_default_context(cafile=cafile)
context.check_hostname = False  # the test certificate is made for "localhost", the server is 127.0.0.1

if mode == "ssl":
    pop = poplib.POP3_SSL(host, int(port), context=context, timeout=30)
else:
    pop = poplib.POP3(host, int(port), timeout=30)
    print("capa before tls:", " ".join(sorted(pop.capa())))
    pop.stls(context=context)

print("greeting:", pop.getwelcome().decode())
print("capa:", " ".join(sorted(pop.capa())))
pop.user(user)
pop.pass_(password)
count, size = pop.stat()
print("stat:", count, size)
print("list:", " ".join(entry.decode() for entry in pop.list()[1]))
print("uidl:", " ".join(entry.decode() for entry in pop.uidl()[1]))
for number in range(1, count + 1):
    print("retr %d:" % number, repr(b"\r\n".join(pop.retr(number)[1]).decode()))
print("top 1 0:", repr(b"\r\n".join(pop.top(1, 0)[1]).decode()))
print("dele 1:", pop.dele(1).decode())
print("quit:", pop.quit().decode())
