#!/usr/bin/python3
"""A real HTTP(S) server for newsletter's feed tests, built on Python's http.server (standard library only).

It listens on 127.0.0.1 (a free port), prints "READY <port>" when it accepts connections, and serves:

  /feeds/<name>         the file <name> of --feeds, with an ETag and a Last-Modified; 304 to a matching
                        If-None-Match or If-Modified-Since; gzip when the client accepts it
  /status/<code>        an empty answer with that status (404, 500...)
  /chain/<n>/<name>     302 to /chain/<n-1>/<name>; /chain/0/<name> is /feeds/<name>
  /loop                 302 to /loop, for ever
  /to-http/<name>       302 to http://127.0.0.1:<--http-port>/feeds/<name> (an https server's downgrade)
  /slow/<seconds>       waits, then serves an empty RSS feed
  /huge/<megabytes>     a well-formed RSS feed of that size, streamed without a Content-Length
  /version/<name>       like /feeds/<name>, but from --feeds/<name>.v<N> where N is in DIR/version (edits)

The most requests answered at once is kept in DIR/max-concurrent. Every request is appended to DIR/requests.tsv: method, path, User-Agent, Accept-Encoding, If-None-Match,
If-Modified-Since, status, and "gzip" when the body was compressed. The server stops when its stdin closes (the
test ends) or after --lifetime seconds, whichever comes first.
"""
import argparse
import gzip
import hashlib
import http.server
import os
import ssl
import sys
import threading
import time
from email.utils import formatdate


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True, help="where requests.tsv is written")
    parser.add_argument("--feeds", required=True, help="the folder of feed files served under /feeds/")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--http-port", type=int, default=0, help="the plain server /to-http/ redirects to")
    parser.add_argument("--lifetime", type=float, default=300.0)
    return parser.parse_args()


ARGS = parse_args()
LOCK = threading.Lock()
IN_FLIGHT = [0, 0]  # requests being answered now, and the most at once (written to DIR/max-concurrent)
LAST_MODIFIED = formatdate(1706860000, usegmt=True)  # Fri, 02 Feb 2024 07:46:40 GMT


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "feed-test-server/1"

    def log_message(self, format, *args):
        pass

    def record(self, status, compressed=False):
        fields = [
            self.command, self.path, self.headers.get("User-Agent", ""), self.headers.get("Accept-Encoding", ""),
            self.headers.get("If-None-Match", ""), self.headers.get("If-Modified-Since", ""), str(status),
            "gzip" if compressed else "",
        ]
        with LOCK, open(os.path.join(ARGS.dir, "requests.tsv"), "a") as log:
            log.write("\t".join(f.replace("\t", " ") for f in fields) + "\n")

    def answer(self, status, body=b"", headers=()):
        compressed = False
        if body and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            compressed = True
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if compressed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.record(status, compressed)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.record(302)

    def serve_file(self, path):
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            return self.answer(404)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == LAST_MODIFIED):
            return self.answer(304, headers=[("ETag", etag)])
        self.answer(200, body, [("Content-Type", "application/rss+xml"), ("ETag", etag), ("Last-Modified", LAST_MODIFIED)])

    def do_GET(self):
        with LOCK:
            IN_FLIGHT[0] += 1
            IN_FLIGHT[1] = max(IN_FLIGHT[1], IN_FLIGHT[0])
            with open(os.path.join(ARGS.dir, "max-concurrent"), "w") as f:
                f.write(str(IN_FLIGHT[1]))
        try:
            self.route()
        finally:
            with LOCK:
                IN_FLIGHT[0] -= 1

    def route(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        kind = parts[0]
        if kind == "feeds" and len(parts) == 2:
            return self.serve_file(os.path.join(ARGS.feeds, os.path.basename(parts[1])))
        if kind == "version" and len(parts) == 2:
            try:
                with open(os.path.join(ARGS.dir, "version")) as f:
                    version = f.read().strip()
            except OSError:
                version = "1"
            return self.serve_file(os.path.join(ARGS.feeds, os.path.basename(parts[1]) + ".v" + version))
        if kind == "status" and len(parts) == 2:
            return self.answer(int(parts[1]))
        if kind == "chain" and len(parts) == 3:
            n = int(parts[1])
            return self.redirect(f"/chain/{n - 1}/{parts[2]}" if n > 0 else f"/feeds/{parts[2]}")
        if kind == "loop":
            return self.redirect("/loop")
        if kind == "to-http" and len(parts) == 2:
            return self.redirect(f"http://127.0.0.1:{ARGS.http_port}/feeds/{parts[1]}")
        if kind == "slow" and len(parts) == 2:
            time.sleep(min(float(parts[1]), 30.0))
            return self.answer(200, b'<rss version="2.0"><channel><title>Slow</title></channel></rss>')
        if kind == "huge" and len(parts) == 2:
            size = min(int(parts[1]), 200) * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.record(200)
            item = b"<item><title>Filler</title><description>" + b"x" * 900 + b"</description></item>\n"
            sent = 0
            try:
                self.wfile.write(b'<rss version="2.0"><channel><title>Huge</title>\n')
                while sent < size:
                    self.wfile.write(item * 64)
                    sent += len(item) * 64
                self.wfile.write(b"</channel></rss>\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client stopped reading at its size cap, as it should.
            return
        self.answer(404)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if ARGS.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ARGS.tls_cert, ARGS.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    # Bounded in time: stops when the test closes stdin, or after --lifetime seconds at the latest.
    reader = threading.Thread(target=sys.stdin.read, daemon=True)
    reader.start()
    reader.join(ARGS.lifetime)
    server.shutdown()


if __name__ == "__main__":
    main()
