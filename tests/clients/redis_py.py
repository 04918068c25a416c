"""redis-py against todo-server: run by tests/clients.rs as
`python3 tests/clients/redis_py.py PORT [PROTOCOL]`. With no PROTOCOL,
redis-py's own default (current versions say HELLO 3); with 2, RESP2.
Exits non-zero, with the reason, on the first thing that is not as Redis
would answer."""

import sys
import threading

import redis

port = int(sys.argv[1])
kwargs = {} if len(sys.argv) < 3 else {"protocol": int(sys.argv[2])}
pool = redis.ConnectionPool(host="127.0.0.1", port=port, **kwargs)
r = redis.Redis(connection_pool=pool)


def check(got, want, what):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


check(r.ping(), True, "ping")
check(r.lpush("l", "a", "b"), 2, "lpush")
check(r.rpush("l", "z"), 3, "rpush")
check(r.lrange("l", 0, -1), [b"b", b"a", b"z"], "lrange")
check(r.llen("l"), 3, "llen")
check(r.lrem("l", 1, "a"), 1, "lrem")
check(r.lindex("l", -1), b"z", "lindex")
check(r.lpop("nothing"), None, "lpop of a missing list")
check(r.exists("l", "nothing"), 1, "exists")
check(r.type("l"), b"list", "type")

pipe = r.pipeline(transaction=False)
for i in range(100):
    pipe.rpush("piped", i)
pipe.lrange("piped", 0, 2)
results = pipe.execute()
check(results[:3], [1, 2, 3], "pipeline pushes")
check(results[-1], [b"0", b"1", b"2"], "pipeline range")

# A pipeline as redis-py makes it by default: a transaction (MULTI/EXEC).
pipe = r.pipeline()
pipe.rpush("tx", "a", "b").lrange("tx", 0, -1).llen("tx")
check(pipe.execute(), [2, [b"a", b"b"], 2], "transactional pipeline")
check(r.delete("tx"), 1, "delete tx")

for i in range(250):
    r.rpush(f"scan:{i}", "x")
check(len(set(r.scan_iter(match="scan:*", count=20))), 250, "scan_iter")
check(r.delete("l", "piped", "nothing"), 2, "delete")
check(r.exists("l"), 0, "exists after delete")

# A pool used from several threads at once.
errors = []


def worker(n):
    try:
        for i in range(200):
            r.rpush(f"thread:{n}", i)
        if r.llen(f"thread:{n}") != 200:
            errors.append(f"thread {n}: wrong length")
    except Exception as e:  # noqa: BLE001 - reported below
        errors.append(f"thread {n}: {e!r}")


threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if errors:
    sys.exit("; ".join(errors))
check(r.dbsize(), 250 + 8, "dbsize")
print("redis-py", redis.__version__, "protocol", kwargs.get("protocol", "default"), "ok")
