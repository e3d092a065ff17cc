#!/usr/bin/python3
"""A real SMTP server for newsletter's delivery tests, built on Debian's python3-aiosmtpd.

It listens on 127.0.0.1 (a free port unless --port is given), prints "READY <port>" when it accepts
connections, and records every accepted message. Faults are injected on request, the way real servers
misbehave: temporary failures on RCPT, a permanent refusal for one address, dropped connections, slow replies.

Received messages are appended to DIR/received.tsv as
"<recipient>\t<message-id>\t<file>\t<mail-from>\t<connection>\t<unix time accepted>"
and stored as
DIR/<n>.eml (unless --no-store).
"""
import argparse
import asyncio
import itertools
import os
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth", help="user:password; AUTH becomes required")
    parser.add_argument("--tempfail-first", type=int, default=0, help="answer 451 to the first N RCPT commands")
    parser.add_argument("--reject", action="append", default=[], help="answer 550 to RCPT for this address")
    parser.add_argument("--tempfail", action="append", default=[], help="always answer 451 to RCPT for this address")
    parser.add_argument("--drop-every", type=int, default=0, help="drop a connection at MAIL after N messages on it")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering DATA")
    parser.add_argument("--slow", action="append", default=[], metavar="ADDRESS=SECONDS",
                        help="wait SECONDS before answering the end of data of each message to ADDRESS")
    parser.add_argument("--late", action="append", default=[], metavar="ADDRESS=SECONDS",
                        help="store each message to ADDRESS (* for all) at once, then wait SECONDS before answering its end of data")
    parser.add_argument("--stop-after", type=int, default=0,
                        help="after accepting N messages, answer 421 to everything and stop: close the listener and every connection")
    parser.add_argument("--busy-first", type=int, default=0, help="answer 421 (service not available) to the first N MAIL commands")
    parser.add_argument("--no-store", action="store_true")
    parser.add_argument("--refuse-session", action="store_true", help="answer 554 to EHLO and HELO")
    parser.add_argument("--reject-mail-number", type=int, default=0, help="answer 553 to the Nth MAIL command only")
    return parser.parse_args()


class Handler:
    def __init__(self, args):
        self.args = args
        self.counter = itertools.count(1)
        self.rcpt_count = 0
        self.mail_count = 0
        self.lock = threading.Lock()
        self.log = open(os.path.join(args.dir, "received.tsv"), "a", buffering=1)
        self.accepted = 0
        self.stopping = threading.Event()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.args.refuse_session:
            return ["554 5.7.1 this server refuses your session"]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        if self.args.refuse_session:
            return "554 5.7.1 this server refuses your session"
        session.host_name = hostname
        return "250 {}".format(server.hostname)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.stopping.is_set():
            return "421 4.3.2 service shutting down"
        count = getattr(session, "messages_on_connection", 0)
        if self.args.drop_every and count >= self.args.drop_every:
            server.transport.abort()
            return "421 4.4.2 connection dropped by the test server"
        with self.lock:
            self.mail_count += 1
            number = self.mail_count
        if number <= self.args.busy_first:
            return "421 4.3.2 too busy, try later"
        if number == self.args.reject_mail_number:
            return "553 5.7.1 sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_count += 1
            number = self.rcpt_count
        if number <= self.args.tempfail_first:
            return "451 4.3.0 try again later"
        if address.lower() in (a.lower() for a in self.args.tempfail):
            return "451 4.2.1 mailbox busy, try later"
        if address.lower() in (a.lower() for a in self.args.reject):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.delay:
            await asyncio.sleep(self.args.delay)
        for rule in self.args.slow:
            address, seconds = rule.rsplit("=", 1)
            if any(rcpt.lower() == address.lower() for rcpt in envelope.rcpt_tos):
                await asyncio.sleep(float(seconds))
        late = 0.0
        for rule in self.args.late:
            address, seconds = rule.rsplit("=", 1)
            if address == "*" or any(rcpt.lower() == address.lower() for rcpt in envelope.rcpt_tos):
                late = max(late, float(seconds))
        if self.stopping.is_set():
            return "421 4.3.2 service shutting down"
        number = next(self.counter)
        data = envelope.original_content or envelope.content
        message_id = ""
        for line in data.split(b"\r\n"):
            if line == b"":
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode("ascii", "replace")
        name = "" if self.args.no_store else f"{number}.eml"
        if name:
            with open(os.path.join(self.args.dir, name), "wb") as f:
                f.write(data)
        connection = id(session)
        for rcpt in envelope.rcpt_tos:
            self.log.write(f"{rcpt}\t{message_id}\t{name}\t{envelope.mail_from}\t{connection}\t{time.time():.6f}\n")
        if self.args.stop_after:
            with self.lock:
                self.accepted += 1
                if self.accepted >= self.args.stop_after:
                    self.stopping.set()
        session.messages_on_connection = getattr(session, "messages_on_connection", 0) + 1
        if late:
            # The message is stored (as a real server that delivers before it answers); the reply comes late.
            await asyncio.sleep(late)
        return "250 2.0.0 accepted"


def main():
    args = parse_args()
    os.makedirs(args.dir, exist_ok=True)
    kwargs = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            # handled=False makes aiosmtpd send the 535 reply itself (with handled=True it sends nothing).
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.tls_cert))
    port = args.port
    if port == 0:
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    handler = Handler(args)
    controller = Controller(handler, hostname="127.0.0.1", port=port, data_size_limit=50_000_000, **kwargs)
    controller.start()
    if args.stop_after:
        def stop_when_asked():
            handler.stopping.wait()
            time.sleep(0.05)  # Lets the 250 of the last message go out.
            controller.stop()
        threading.Thread(target=stop_when_asked, daemon=True).start()
    print(f"READY {port}", flush=True)
    try:
        sys.stdin.read()  # Runs until the test closes our stdin or kills us.
    finally:
        try:
            controller.stop()
        except Exception:
            pass  # Already stopped by --stop-after.


if __name__ == "__main__":
    main()
