#!/usr/bin/env python3
"""Load for `newsletter serve`, used by `scripts/bench --web`: RFC 8058 one-click POSTs for many subscribers
over many concurrent keep-alive connections, and the check of the list afterwards.

    scripts/web-load.py pick LIST --count N --out FILE
        Writes N addresses of LIST (every k-th entry, so spread over the file), one a line.

    scripts/web-load.py post ORIGIN --addresses FILE --secret S --connections C [--path /unsubscribe]
        POSTs `List-Unsubscribe=One-Click` to ORIGIN/unsubscribe?token=T for each address (T made as the
        service makes it: base64url of the address and the first 16 bytes of HMAC-SHA256), over C connections,
        and prints JSON: requests, non-200 answers, seconds, requests/s, latency p50/p99/max in ms.

    scripts/web-load.py get ORIGIN --count N --connections C --path /healthz
        The same client doing GETs: the reference (what the server and this client do without the list).

    scripts/web-load.py verify BEFORE AFTER --addresses FILE
        Checks that AFTER is valid JSON, that every picked address has "subscribed": false, and that every other
        line is byte for byte as in BEFORE (the list is one entry a line, as gen-data.py writes it). Prints JSON.

Only the standard library is used.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.parse


def token(secret, address):
    raw = address.lower().encode()
    mac = hmac.new(secret.encode(), raw, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(raw + mac).decode().rstrip("=")


async def worker(host, port, requests, latencies, failures):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while requests:
            request = requests.pop()
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            parts = status_line.split()
            if len(parts) < 2 or parts[1] != b"200":
                failures.append(status_line.decode("latin-1").strip())
    finally:
        writer.close()


def run(origin, requests, connections):
    parsed = urllib.parse.urlsplit(origin)
    latencies, failures = [], []
    total = len(requests)
    requests = list(reversed(requests))

    async def main():
        await asyncio.gather(*(worker(parsed.hostname, parsed.port, requests, latencies, failures) for _ in range(connections)))

    start = time.perf_counter()
    asyncio.run(main())
    seconds = time.perf_counter() - start
    latencies.sort()

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1) if latencies else 0

    return {"requests": total, "answered": len(latencies), "failures": len(failures), "firstFailure": failures[0] if failures else None,
            "seconds": round(seconds, 3), "perSecond": round(total / seconds, 1), "p50": percentile(0.50), "p99": percentile(0.99),
            "max": percentile(1.0)}


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    pick = sub.add_parser("pick")
    pick.add_argument("list")
    pick.add_argument("--count", type=int, required=True)
    pick.add_argument("--out", required=True)
    post = sub.add_parser("post")
    post.add_argument("origin")
    post.add_argument("--addresses", required=True)
    post.add_argument("--secret", required=True)
    post.add_argument("--connections", type=int, default=50)
    get = sub.add_parser("get")
    get.add_argument("origin")
    get.add_argument("--count", type=int, required=True)
    get.add_argument("--connections", type=int, default=50)
    get.add_argument("--path", default="/healthz")
    verify = sub.add_parser("verify")
    verify.add_argument("before")
    verify.add_argument("after")
    verify.add_argument("--addresses", required=True)
    args = parser.parse_args()

    if args.command == "pick":
        entries = json.load(open(args.list, encoding="utf-8"))
        step = max(1, len(entries) // args.count)
        picked = [entries[i]["email"] for i in range(0, len(entries), step)][: args.count]
        open(args.out, "w", encoding="utf-8").write("\n".join(picked) + "\n")
        return 0
    if args.command == "post":
        host = urllib.parse.urlsplit(args.origin).netloc
        body = b"List-Unsubscribe=One-Click"
        requests = []
        for address in open(args.addresses, encoding="utf-8").read().split():
            requests.append((f"POST /unsubscribe?token={token(args.secret, address)} HTTP/1.1\r\nHost: {host}\r\n"
                             f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
        print(json.dumps(run(args.origin, requests, args.connections)))
        return 0
    if args.command == "get":
        host = urllib.parse.urlsplit(args.origin).netloc
        requests = [f"GET {args.path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()] * args.count
        print(json.dumps(run(args.origin, requests, args.connections)))
        return 0
    if args.command == "verify":
        picked = {line.strip().lower() for line in open(args.addresses, encoding="utf-8") if line.strip()}
        before = open(args.before, encoding="utf-8").read().splitlines()
        after_text = open(args.after, encoding="utf-8").read()
        report = {"validJSON": True, "unsubscribed": 0, "notApplied": 0, "otherChanged": 0, "entries": 0}
        try:
            entries = json.loads(after_text)
            report["entries"] = len(entries)
        except ValueError:
            report["validJSON"] = False
        after = after_text.splitlines()
        if len(after) != len(before):
            report["otherChanged"] = abs(len(after) - len(before))
        for old, new in zip(before, after):
            stripped = old.strip().rstrip(",")
            if not stripped.startswith("{"):
                report["otherChanged"] += old != new
                continue
            address = json.loads(stripped)["email"].lower()
            if address in picked:
                entry = json.loads(new.strip().rstrip(","))
                if entry.get("subscribed") is False and entry["email"].lower() == address:
                    report["unsubscribed"] += 1
                else:
                    report["notApplied"] += 1
            elif old != new:
                report["otherChanged"] += 1
        report["ok"] = report["validJSON"] and report["unsubscribed"] == len(picked) and report["notApplied"] == 0 and report["otherChanged"] == 0
        print(json.dumps(report))
        return 0 if report["ok"] else 1
    return 64


if __name__ == "__main__":
    sys.exit(main())
