"""Python peer: a framework-free ASGI app for gunicorn + uvicorn workers.

GET /health/live -> {"status":"ok"} (no dependency).
GET /health      -> SELECT 1 (psycopg AsyncConnectionPool) and PING (redis.asyncio pool),
                    concurrently, each bounded by HEALTH_TIMEOUT_MS; the same JSON contract as
                    saas-api: 200 {"status":"ok","version":"1.0.0","uptime":N,"db":"connected",
                    "redis":"connected"} or 503 "degraded" with the failed one "disconnected".
Nothing is cached: every answer comes from checks started after the request arrived.
DATABASE_URL / REDIS_URL / PG_POOL_SIZE / REDIS_POOL_SIZE come from the environment.
"""
import asyncio
import json
import os
import time

import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool

VERSION = "1.0.0"
STARTED = time.time()
TIMEOUT = int(os.environ.get("HEALTH_TIMEOUT_MS", "1000")) / 1000
LIVE = b'{"status":"ok"}'
JSON_HEADERS = [(b"content-type", b"application/json")]

_pg = None
_redis = None


def _database_url():
    # libpq accepts postgres:// URLs as they are.
    return os.environ["DATABASE_URL"]


async def _startup():
    global _pg, _redis
    _pg = AsyncConnectionPool(
        _database_url(),
        min_size=1,
        max_size=int(os.environ.get("PG_POOL_SIZE", "4")),
        open=False,
        kwargs={"autocommit": True},
    )
    await _pg.open(wait=False)
    # Same pool sizes as saas-api (PG_POOL_SIZE, REDIS_POOL_SIZE per worker); a request waits for
    # a free connection (bounded by the health timeout) instead of failing.
    _redis = aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        max_connections=int(os.environ.get("REDIS_POOL_SIZE", "2")),
        timeout=TIMEOUT,
    ))


async def _check_pg():
    async with _pg.connection(timeout=TIMEOUT) as conn:
        cur = await conn.execute("SELECT 1")
        await cur.fetchone()


async def _check_redis():
    await _redis.ping()


async def _bounded(coro):
    try:
        await asyncio.wait_for(coro, TIMEOUT)
        return True
    except Exception:
        return False


async def _health():
    db, rd = await asyncio.gather(_bounded(_check_pg()), _bounded(_check_redis()))
    ok = db and rd
    body = json.dumps(
        {
            "status": "ok" if ok else "degraded",
            "version": VERSION,
            "uptime": int(time.time() - STARTED),
            "db": "connected" if db else "disconnected",
            "redis": "connected" if rd else "disconnected",
        },
        separators=(",", ":"),
    ).encode()
    return (200 if ok else 503), body


async def _send(send, status, body):
    await send({"type": "http.response.start", "status": status,
                "headers": JSON_HEADERS + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await _startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _pg is not None:
                    await _pg.close()
                if _redis is not None:
                    await _redis.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path, method = scope["path"], scope["method"]
    if method == "GET" and path == "/health/live":
        await _send(send, 200, LIVE)
    elif method == "GET" and path == "/health":
        status, body = await _health()
        await _send(send, status, body)
    else:
        await _send(send, 404, b'{"success":false,"error":{"code":"NOT_FOUND","message":"not found"}}')
