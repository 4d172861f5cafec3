"""Python's imaplib against Posthorn: the basic flows of a client. Arguments: port user password.
Prints one line per step; exits non-zero (with the traceback) on the first failure."""
import imaplib
import re
import sys

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def ok(result, step):
    typ, data = result
    assert typ == "OK", f"{step}: {typ} {data}"
    print(f"{step}: OK")
    return data


imap = imaplib.IMAP4("127.0.0.1", port)
assert "IDLE" in imap.capabilities and "UIDPLUS" in imap.capabilities, imap.capabilities
ok(imap.login(user, password), "login")

names = [line.decode().rsplit(" ", 1)[-1] for line in ok(imap.list('""', "*"), "list")]
assert names == ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"], names

message = (b"From: Python <py@example.org>\r\nTo: " + user.encode() + b"\r\nSubject: from imaplib\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
           b"--x\r\nContent-Type: text/plain\r\n\r\nsnake body\r\n"
           b"--x\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
           b"Content-Disposition: attachment; filename=data.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           b"AAECAw==\r\n--x--\r\n")
data = ok(imap.append("INBOX", r"(\Flagged)", None, message), "append")
assert re.search(rb"\[APPENDUID \d+ 2\]", data[0]), data

typ, data = imap.select("INBOX")
assert typ == "OK" and data == [b"2"], data
print("select: OK")

data = ok(imap.fetch("2", "(BODYSTRUCTURE FLAGS)"), "fetch structure")
text = data[0].decode()
assert '("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 10 1' in text, text
assert '("APPLICATION" "OCTET-STREAM" ("NAME" "data.bin") NIL NIL "BASE64" 8' in text, text
assert '"MIXED"' in text and "\\Flagged" in text, text

data = ok(imap.fetch("2", "(BINARY.PEEK[2])"), "fetch attachment")
assert data[0][1] == b"\x00\x01\x02\x03", data

data = ok(imap.search(None, "SUBJECT", '"from imaplib"'), "search")
assert data == [b"2"], data
data = ok(imap.uid("SEARCH", "BODY", "snake"), "uid search")
assert data == [b"2"], data

ok(imap.store("1", "+FLAGS", r"(\Seen)"), "store")
data = ok(imap.fetch("1", "(FLAGS)"), "fetch flags")
assert b"\\Seen" in data[0], data

data = ok(imap.copy("1:2", "Archive"), "copy")
typ, data = imap.uid("MOVE", "2", "Trash")
assert typ == "OK", data
print("move: OK")

typ, data = imap.status("Archive", "(MESSAGES)")
assert data == [b"Archive (MESSAGES 2)"], data
typ, data = imap.status("INBOX", "(MESSAGES)")
assert data == [b"INBOX (MESSAGES 1)"], data
print("status: OK")

ok(imap.close(), "close")
typ, data = imap.logout()
assert typ == "BYE", (typ, data)
print("logout: OK")
