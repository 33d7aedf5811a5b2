#!/usr/bin/env python3
"""Minimal cluster DNS for hack/cluster.sh (no CoreDNS image can be pulled here).

Runs on the host, listening on UDP HOST:53 (the CNI bridge's gateway address, which the kubelet
hands to every pod as its nameserver). Answers only what the chart and the e2e drills need:

  <service>.<namespace>.svc.<domain>   A  -> the Service's ClusterIP (headless: ready pod IPs)
  <a-b-c-d>.<namespace>.pod.<domain>   A  -> a.b.c.d

Every other name gets NXDOMAIN at once (this machine has no upstream DNS to forward to), and
AAAA/other types for a known name get an empty NOERROR answer so resolvers that ask A and AAAA
in parallel keep the A record. Services are looked up in the API on demand (GET one Service)
and cached for TTL seconds, so a new Service resolves within TTL seconds.

usage: cluster-dns.py --listen 10.246.0.1 --port 53 --api https://127.0.0.1:PORT
                      --ca CA --cert CERT --key KEY [--domain cluster.local] [--ttl 5]
Threads: the UDP server handles each query on its own thread; the cache is guarded by a lock.
"""
import argparse
import json
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.error
import urllib.request

TYPE_A = 1
CLASS_IN = 1
RCODE_NXDOMAIN = 3
RCODE_FORMERR = 1


def parse_question(packet):
    """Returns (id, flags, qname labels, qtype, qclass, end offset of the question)."""
    if len(packet) < 12:
        raise ValueError("short header")
    qid, flags, qdcount = struct.unpack("!HHH", packet[:6])
    if qdcount != 1:
        raise ValueError("expected exactly one question")
    labels, pos = [], 12
    while True:
        if pos >= len(packet):
            raise ValueError("truncated name")
        length = packet[pos]
        pos += 1
        if length == 0:
            break
        if length & 0xC0:
            raise ValueError("compressed name in question")
        labels.append(packet[pos:pos + length].decode("ascii", "replace").lower())
        pos += length
    qtype, qclass = struct.unpack("!HH", packet[pos:pos + 4])
    return qid, flags, labels, qtype, qclass, pos + 4


def build_reply(packet, question_end, qid, flags, rcode, addresses, ttl):
    # QR=1, copy opcode and RD, AA=1, RA=0.
    reply_flags = 0x8000 | (flags & 0x7900) | 0x0400 | rcode
    header = struct.pack("!HHHHHH", qid, reply_flags, 1, len(addresses), 0, 0)
    answers = b"".join(
        struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, ttl, 4) + bytes(int(p) for p in ip.split("."))
        for ip in addresses)
    return header + packet[12:question_end] + answers


class ServiceResolver:
    """Maps names to IPv4 addresses through the Kubernetes API, with a short cache."""

    def __init__(self, api, ca, cert, key, domain, ttl):
        self.api = api.rstrip("/")
        self.domain = domain.lower().strip(".").split(".")
        self.ttl = ttl
        self.context = ssl.create_default_context(cafile=ca)
        self.context.load_cert_chain(cert, key)
        self.lock = threading.Lock()
        self.cache = {}  # (namespace, service) -> (expiry, addresses or None)

    def resolve(self, labels):
        """Returns a list of addresses, or None when the name does not exist."""
        n = len(self.domain)
        if len(labels) < n + 3 or labels[-n:] != self.domain:
            return None
        kind, namespace, name = labels[-n - 1], labels[-n - 2], labels[-n - 3]
        if kind == "pod" and len(labels) == n + 3:
            parts = name.split("-")
            if len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts):
                return [".".join(parts)]
            return None
        if kind != "svc" or len(labels) != n + 3:
            return None
        key = (namespace, name)
        now = time.monotonic()
        with self.lock:
            hit = self.cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
        addresses = self.lookup_service(namespace, name)
        with self.lock:
            self.cache[key] = (now + self.ttl, addresses)
        return addresses

    def get_json(self, path):
        try:
            with urllib.request.urlopen(self.api + path, context=self.context, timeout=3) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    def lookup_service(self, namespace, name):
        try:
            svc = self.get_json(f"/api/v1/namespaces/{namespace}/services/{name}")
            if svc is None:
                return None
            ip = svc.get("spec", {}).get("clusterIP", "")
            if ip and ip != "None":
                return [ip]
            # Headless: the ready addresses of its Endpoints.
            ep = self.get_json(f"/api/v1/namespaces/{namespace}/endpoints/{name}") or {}
            return [a["ip"] for s in ep.get("subsets", []) for a in s.get("addresses", [])]
        except Exception as e:  # API down or unreachable: answer NXDOMAIN, say why on stderr.
            print(f"cluster-dns: looking up service {namespace}/{name}: {e}", file=sys.stderr, flush=True)
            return None


def make_handler(resolver):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            packet, sock = self.request
            try:
                qid, flags, labels, qtype, qclass, end = parse_question(packet)
            except (ValueError, struct.error):
                if len(packet) >= 12:
                    sock.sendto(packet[:2] + struct.pack("!HHHHH", 0x8000 | RCODE_FORMERR, 0, 0, 0, 0),
                                self.client_address)
                return
            addresses = resolver.resolve(labels) if qclass == CLASS_IN else None
            if addresses is None:
                reply = build_reply(packet, end, qid, flags, RCODE_NXDOMAIN, [], 0)
            elif qtype == TYPE_A:
                reply = build_reply(packet, end, qid, flags, 0, addresses, resolver.ttl)
            else:
                reply = build_reply(packet, end, qid, flags, 0, [], resolver.ttl)
            sock.sendto(reply, self.client_address)

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", required=True)
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--api", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--domain", default="cluster.local")
    p.add_argument("--ttl", type=int, default=5)
    args = p.parse_args()
    resolver = ServiceResolver(args.api, args.ca, args.cert, args.key, args.domain, args.ttl)
    socketserver.ThreadingUDPServer.daemon_threads = True
    server = socketserver.ThreadingUDPServer((args.listen, args.port), make_handler(resolver))
    print(f"cluster-dns: serving *.svc.{args.domain} on {args.listen}:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
