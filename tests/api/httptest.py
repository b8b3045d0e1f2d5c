"""Plain HTTP requests to the server under test (BASE), for the attack tests: one request per
connection with http.client, a login with PASSWORD, and raw bytes over a socket."""
import http.client
import json
import os
import socket

HOST, PORT = "127.0.0.1", int(os.environ["BASE"].rsplit(":", 1)[1])
PASSWORD = os.environ["PASSWORD"]


def req(method, path, token=None, body=None, headers=None):
    c = http.client.HTTPConnection(HOST, PORT, timeout=60)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
        h["Content-Type"] = "application/json"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        j = json.loads(data)
    except ValueError:
        j = None
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data, j


def login(user):
    return req("POST", "/api/v1/auth/login", body={"username": user, "password": PASSWORD})[3]["data"]["access_token"]


def raw(data, wait=3.0):
    """Sends bytes, half-closes, returns all the server wrote."""
    s = socket.create_connection((HOST, PORT))
    s.settimeout(wait)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    s.close()
    return out


def churn(token, path, k, n, total, statuses):
    """On one keep-alive connection, GET path % i twice for each i in range(k, total, n) (a
    thread's share of `total` distinct URLs, each stored from its second ask), counting the
    answers in `statuses`."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=60)
    h = {"Authorization": "Bearer " + token}
    for i in range(k, total, n):
        for _ in range(2):
            c.request("GET", path % i, headers=h)
            r = c.getresponse()
            r.read()
            statuses[r.status] = statuses.get(r.status, 0) + 1
