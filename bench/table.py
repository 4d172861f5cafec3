#!/usr/bin/env python3
"""Markdown table of one bench/run.sh run: table.py RESULTS --command CMD [--imaptest PATH]

RESULTS holds the RESULT lines of ../shared/bench/run_suite.sh for each server (name=posthorn,
postfix+dovecot, greenmail) plus run.sh's own startup RESULT and NOTE lines (load averages).
The ratio column is Posthorn / Postfix+Dovecot (higher is better for rates, lower for
seconds and memory).
"""
import argparse
import collections
import datetime
import os
import shlex

REFERENCE = "postfix+dovecot"
TITLES = {"posthorn": "Posthorn", "postfix+dovecot": "Postfix+Dovecot", "greenmail": "GreenMail"}


def parse(path):
    results, notes = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("NOTE "):
                notes.append(line[5:].strip())
            elif line.startswith("RESULT "):
                kv = dict(t.split("=", 1) for t in shlex.split(line)[1:] if "=" in t)
                rows = results.setdefault(kv.get("name"), {})
                label = kv.get("label")
                if label.startswith("mem"):  # a server of several process trees: add them up
                    old = rows.get(label)
                    if old:
                        for k in ("rss_kb", "pss_kb"):
                            kv[k] = str(int(old[k]) + int(kv[k]))
                rows[label] = kv
    return results, notes


def value(rows, label, field, scale=1.0):
    try:
        return float(rows[label][field]) / scale
    except (KeyError, ValueError):
        return None


LINES = [
    ("SMTP {n} x {size} B, 1 rcpt, {c} sessions: accepted msg/s", "smtp_r1", "msgs_per_s", 1),
    ("... all in the mailboxes after (s)", "smtp_r1", "last_delivery_s", 1),
    ("... delivered msg/s (to the last one in a mailbox)", "smtp_r1", "deliveries_per_s", 1),
    ("SMTP {n} x {size} B, 10 rcpts, {c} sessions: accepted msg/s", "smtp_r10", "msgs_per_s", 1),
    ("... all copies in the mailboxes after (s)", "smtp_r10", "last_delivery_s", 1),
    ("... delivered copies/s", "smtp_r10", "deliveries_per_s", 1),
    ("IMAP {users} users, {clients} clients, {secs} s: ops/s", "imap", "ops_per_s", 1),
    ("IMAP: logins/s", "imap", "logins_per_s", 1),
    ("IMAP: protocol errors (imaptest Error: lines) / session errors", "imap", "errors", 1),
    ("POP3 {users} users x {per_user} x {size} B RETR+DELE: msg/s", "pop3", "msgs_per_s", 1),
    ("memory idle: RSS / PSS (MB; ratio of PSS)", "mem_idle", ("rss_kb", "pss_kb"), 1024),
    ("memory after the SMTP loads: RSS / PSS (MB)", "mem_after_smtp", ("rss_kb", "pss_kb"), 1024),
    ("memory after all loads: RSS / PSS (MB)", "mem_after_all", ("rss_kb", "pss_kb"), 1024),
    ("start-up until all listeners accept (s)", "startup", "startup_s", 1),
]


def fmt(v):
    if v is None:
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 or v.is_integer() else f"{v:.1f}"


def cell(rows, label, field, scale):
    if isinstance(field, tuple):
        vals = [value(rows, label, f, scale) for f in field]
        return " / ".join(fmt(v) for v in vals), vals[1]
    v = value(rows, label, field, scale)
    if v is None and field == "errors":
        v = value(rows, label, "session_errors", scale)
    return fmt(v), v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--command", required=True)
    ap.add_argument("--imaptest", default="")
    args = ap.parse_args()
    results, notes = parse(args.results)
    servers = [s for s in ("posthorn", REFERENCE, "greenmail") if s in results]
    mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
    tool = results.get("posthorn", {}).get("imap", {}).get("tool", "imap_load.py")
    out = []
    out.append(f"\n### Side by side, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    out.append(f"Machine: {os.cpu_count()} cores, {mem_kb / 1048576:.0f} GiB RAM, shared with other engineers' "
               "builds while this ran (load averages below), so every figure is noisy. "
               f"Command: `{args.command}`. One run each, back to back.")
    if tool == "imaptest":
        out.append(f"IMAP load: imaptest ({args.imaptest or 'from PATH'}).")
    else:
        out.append("IMAP load: no imaptest found, so the Python loader `imap_load.py` ran; its "
                   "figures are not comparable with imaptest's.")
    out.append("Load averages (1/5/15 min): " + "; ".join(notes) + ".\n")
    head = ["load"] + [TITLES[s] for s in servers]
    if "posthorn" in results and REFERENCE in results:
        head.append("Posthorn / Postfix+Dovecot")
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for title, label, field, scale in LINES:
        cells, nums = [], {}
        for s in servers:
            text, n = cell(results[s], label, field, scale)
            cells.append(text)
            nums[s] = n
        if len(head) > len(servers) + 1:
            a, b = nums.get("posthorn"), nums.get(REFERENCE)
            cells.append(f"{a / b:.2f}" if a is not None and b else "")
        params = next((results[s][label] for s in servers if label in results[s]), {})
        out.append(f"| {title.format_map(collections.defaultdict(str, params))} | " + " | ".join(cells) + " |")
    incomplete = [f"{s} {l}" for s in servers for l in ("smtp_r1", "smtp_r10")
                  if results[s].get(l, {}).get("complete") not in (None, "True", "true", "yes")]
    if incomplete:
        out.append("\nNot every message reached its mailbox before the time limit in: "
                   + ", ".join(incomplete) + ".")
    print("\n".join(out))


if __name__ == "__main__":
    main()
