#!/usr/bin/env python3
"""serve under hostile load: IDLE idle connections and SLOW slowloris connections (one header byte a second) are
opened against a running receiver, then valid deliveries are timed on a fresh connection. Loopback only.
Usage: scripts/bench-serve-hostile.py URL PROJECT_ID TOOL [IDLE] [SLOW] [ROUNDS]   (TOOL: ppg-conformance, for sign)
Prints: 'valid delivery while IDLE idle and SLOW slowloris connections are open: median X ms, max Y ms, N of N 200'.
"""
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

url, project = sys.argv[1], sys.argv[2]
tool = sys.argv[3]
idle_count = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
slow_count = int(sys.argv[5]) if len(sys.argv) > 5 else 300
parts = urllib.parse.urlsplit(url)
host, port = parts.hostname, parts.port
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

body = ('{"projectId":"%s","customId":"user-1","ppgId":"6f1e2d3c4b5a69788796a5b4"}' % project).encode()
signature = subprocess.check_output([tool, "sign", "--key", project, "--url", url, "--body", body.decode()]).decode().strip()
request = (
    "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nX-PPG-Signature: %s\r\n"
    "Content-Length: %d\r\nConnection: close\r\n\r\n" % (parts.path, host, port, signature, len(body))
).encode() + body

idle = []
for _ in range(idle_count):
    try:
        idle.append(socket.create_connection((host, port), timeout=5))
    except OSError as error:
        print("opened %d idle connections before: %s" % (len(idle), error))
        break
slow = []
for _ in range(slow_count):
    try:
        connection = socket.create_connection((host, port), timeout=5)
        connection.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\n" % parts.path.encode())
        slow.append(connection)
    except OSError as error:
        print("opened %d slowloris connections before: %s" % (len(slow), error))
        break
stop = False


def drip():
    while not stop:
        for connection in slow:
            try:
                connection.sendall(b"X")
            except OSError:
                pass
        time.sleep(1)


threading.Thread(target=drip, daemon=True).start()
time.sleep(1)
times, ok = [], 0
rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 20
for _ in range(rounds):
    start = time.monotonic()
    try:
        connection = socket.create_connection((host, port), timeout=30)
        connection.settimeout(30)
        connection.sendall(request)
        answer = connection.recv(4096)
        ok += answer.startswith(b"HTTP/1.1 200")
        connection.close()
    except OSError:
        pass  # a timeout counts as the time waited, and not as a 200
    times.append((time.monotonic() - start) * 1000)
    time.sleep(0.2)
stop = True
times.sort()
print(
    "valid delivery while %d idle and %d slowloris connections are open: median %.1f ms, max %.1f ms, %d of %d 200"
    % (len(idle), len(slow), times[len(times) // 2], times[-1], ok, len(times))
)
