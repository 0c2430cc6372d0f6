#!/usr/bin/env python3
"""serve's memory under a chunk-extension or trailer-field attack: CONNECTIONS connections each send a chunked
request of 1-byte chunks with 1,000-byte extensions (or a trailer section of 1,000-byte fields) as fast as serve
takes them, for SECONDS; serve's peak RSS is read from /proc, and a valid delivery is timed meanwhile. Loopback only.
Usage: scripts/bench-serve-framing.py PID URL PROJECT_ID TOOL [extensions|trailers] [CONNECTIONS] [SECONDS]
Prints: 'KIND: RSS before X MB, peak Y MB; attack connections refused: N of N; valid delivery: Z ms (STATUS)'.
"""
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

pid, url, project, tool = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
kind = sys.argv[5] if len(sys.argv) > 5 else "extensions"
connections = int(sys.argv[6]) if len(sys.argv) > 6 else 4
seconds = float(sys.argv[7]) if len(sys.argv) > 7 else 5
parts = urllib.parse.urlsplit(url)
host, port = parts.hostname, parts.port


def rss_mb():
    with open("/proc/%s/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nTransfer-Encoding: chunked\r\n\r\n" % (parts.path, host, port)).encode()
if kind == "extensions":
    piece = (b"1;" + b"e" * 1000 + b"\r\nx\r\n") * 64
else:
    head += b"1\r\nx\r\n0\r\n"
    piece = (b"X-T: " + b"t" * 1000 + b"\r\n") * 64
refused = []
stop = time.time() + seconds


def attack():
    try:
        sock = socket.create_connection((host, port), timeout=5)
        sock.sendall(head)
        while time.time() < stop:
            sock.sendall(piece)
    except OSError:
        refused.append(1)


before = rss_mb()
peak = before
threads = [threading.Thread(target=attack, daemon=True) for _ in range(connections)]
for thread in threads:
    thread.start()
body = ('{"projectId":"%s","customId":"user-1","ppgId":"6f1e2d3c4b5a69788796a5b4"}' % project).encode()
signature = subprocess.check_output([tool, "sign", "--key", project, "--url", url, "--body", body.decode()]).decode().strip()
valid = (
    "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nX-PPG-Signature: %s\r\n"
    "Content-Length: %d\r\nConnection: close\r\n\r\n" % (parts.path, host, port, signature, len(body))
).encode() + body
time.sleep(seconds / 2)
began = time.time()
status = "no answer"
try:
    sock = socket.create_connection((host, port), timeout=15)
    sock.sendall(valid)
    status = sock.recv(64).split(b"\r\n")[0].decode(errors="replace")
    sock.close()
except OSError as error:
    status = str(error)
elapsed = (time.time() - began) * 1000
while time.time() < stop:
    peak = max(peak, rss_mb())
    time.sleep(0.05)
for thread in threads:
    thread.join(timeout=10)
print("%s: RSS before %.1f MB, peak %.1f MB; attack connections refused: %d of %d; valid delivery: %.1f ms (%s)"
      % (kind, before, peak, len(refused), connections, elapsed, status))
