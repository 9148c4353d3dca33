"""The load generator: http.client threads in processes of their own
(`python -m bench.loadgen`, a JSON spec on stdin, the results as JSON on stdout).

Standard library only, so its processes start without Django.
"""

from __future__ import annotations

import http.client
import itertools
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.report import percentile

if TYPE_CHECKING:
    from bench.server import Gunicorn

BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    sizes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the load generator's own CPU time

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def bad(self) -> dict[int, int]:
        """The answers that were not 2xx, by status."""
        return {k: v for k, v in self.statuses.items() if not 200 <= k < 300}

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)


def run_load(
    server: Gunicorn | list[Gunicorn],
    path: str,
    headers: dict,
    bodies: list[str],
    *,
    clients: int,
    processes: int,
    duration: float = 0.0,
    warmup: float = 0.0,
    count: int = 0,
    method: str = "POST",
    interval: float = 0.0,
) -> LoadResult:
    """POST `bodies` (each once, in order per client) from `clients` concurrent clients spread
    over `processes` load-generator processes, either for `duration` seconds after `warmup`
    seconds, or (`count`, one client) for a number of sequential requests. With `interval`,
    each client sends one request every `interval` seconds (as a polling tab does), the
    clients spread evenly over it; `method` GET sends each body as the query string. With a
    list of servers, client t sends to server t modulo their number (M1). `headers` is one
    dict for every client, or a list of one per client (a token each)."""
    servers = server if isinstance(server, list) else [server]
    processes = max(1, min(processes, clients))
    start_at = time.monotonic() + 1.5  # time for the processes to start
    procs = []
    for p in range(processes):
        threads = [t for t in range(clients) if t % processes == p]
        spec = {
            "host": servers[0].host,
            "port": servers[0].port,
            "targets": [
                [servers[t % len(servers)].host, servers[t % len(servers)].port] for t in threads
            ],
            "path": path,
            "headers": [headers[t] if isinstance(headers, list) else headers for t in threads],
            "bodies": [bodies[t::clients] for t in threads],
            "start_at": start_at,
            "warmup": warmup,
            "duration": duration,
            "count": count,
            "method": method,
            "interval": interval,
            "offsets": [interval * t / clients for t in threads],
        }
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.loadgen"],
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        proc.stdin.write(json.dumps(spec))
        proc.stdin.close()
        procs.append(proc)
    result = LoadResult()
    for proc in procs:
        out = json.loads(proc.stdout.read())
        proc.wait()
        result.latencies += out["latencies"]
        result.statuses.update({int(k): v for k, v in out["statuses"].items()})
        result.sizes += out["sizes"]
        result.errors += out["errors"]
        result.seconds = max(result.seconds, out["seconds"])
        result.cpu_seconds += out["cpu_seconds"]
    return result


def _loadgen_main(spec: dict) -> dict:
    host, port, path = spec["host"], spec["port"], spec["path"]
    lock = threading.Lock()
    out = {"latencies": [], "statuses": Counter(), "sizes": [], "errors": []}
    measure_from = spec["start_at"] + spec["warmup"]
    stop_at = measure_from + spec["duration"]
    count = spec["count"]
    method = spec.get("method", "POST")
    interval = spec.get("interval", 0.0)

    def client(bodies: list[str], headers: dict, offset: float = 0.0, target=(host, port)) -> None:
        conn = http.client.HTTPConnection(*target, timeout=60)
        latencies, statuses, sizes, errors = [], Counter(), [], []
        time.sleep(max(0.0, spec["start_at"] + offset - time.monotonic()))
        # More requests than bodies: start over (the same spans tagged again).
        for i, body in enumerate(itertools.cycle(bodies)):
            if interval:
                time.sleep(max(0.0, spec["start_at"] + offset + i * interval - time.monotonic()))
            began = time.monotonic()
            if count and i >= count:
                break
            if not count and began >= stop_at:
                break
            try:
                if method == "GET":
                    conn.request("GET", f"{path}?{body}", headers=headers)
                else:
                    conn.request("POST", path, body=body.encode(), headers=headers)
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                errors.append(repr(exc))
                continue
            ended = time.monotonic()
            if count or (began >= measure_from and ended <= stop_at):
                latencies.append(ended - began)
                statuses[response.status] += 1
                sizes.append(len(data))
                if response.status >= 300 and len(errors) < 3:
                    errors.append(f"{response.status}: {data[:300]!r}")
        conn.close()
        with lock:
            out["latencies"] += latencies
            out["statuses"].update(statuses)
            out["sizes"] += sizes
            out["errors"] += errors

    began = time.monotonic()
    cpu_began = time.process_time()
    offsets = spec.get("offsets") or [0.0] * len(spec["bodies"])
    targets = [tuple(t) for t in spec.get("targets") or [[host, port]] * len(spec["bodies"])]
    threads = [
        threading.Thread(target=client, args=(b, h, o, t))
        for b, h, o, t in zip(spec["bodies"], spec["headers"], offsets, targets, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if count:
        out["seconds"] = time.monotonic() - max(began, spec["start_at"])
    else:
        out["seconds"] = spec["duration"]
    out["statuses"] = {str(k): v for k, v in out["statuses"].items()}
    out["cpu_seconds"] = time.process_time() - cpu_began
    return out


if __name__ == "__main__":
    print(json.dumps(_loadgen_main(json.load(sys.stdin))))
