"""The bot's Prometheus metrics, declared once; ``GET /metrics`` (``bot.http.metrics``) serves them.

Counters are process-wide (one set per worker; Prometheus adds them up across workers). Values
that live in the database, such as the outbox by status, are read when scraped. No label ever
carries a user id or any personal data.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

UPDATES = Counter("motcua_updates_total", "Updates taken from a channel's intake", ["channel"])
UPDATE_FAILURES = Counter(
    "motcua_update_failures_total", "Updates whose handling raised in the channel", ["channel"]
)
REPLIES = Counter("motcua_replies_sent_total", "Replies delivered to users", ["channel"])
ANSWERS_UNDELIVERED = Counter(
    "motcua_answers_undelivered_total", "Answers the platform did not take", ["channel"]
)
PUSHES = Counter("motcua_pushes_total", "Outbox pushes by outcome", ["channel", "outcome"])
RATE_LIMITED = Counter(
    "motcua_rate_limited_total", "429 answers from a messenger (each one retried)", ["channel"]
)
ANSWERS_DROPPED = Counter(
    "motcua_answers_dropped_total",
    "Answers given up after waiting out rate limits",
    ["channel"],
)
HANDLER_ERRORS = Counter(
    "motcua_handler_errors_total", "Messages whose handler failed (an apology sent)", ["channel"]
)
INBOX_PENDING = Gauge(
    "motcua_inbox_pending", "Updates stored but not yet answered (read when scraped)", ["channel"]
)
INBOX_OLDEST = Gauge(
    "motcua_inbox_oldest_pending_seconds",
    "Age of the oldest update not yet answered (read when scraped)",
    ["channel"],
)
INBOX_RECOVERED = Counter(
    "motcua_inbox_recovered_total", "Updates taken over from a process that stopped", ["channel"]
)
INBOX_REPLAYED = Counter(
    "motcua_inbox_replayed_total",
    "Stored answers sent again because a crash came between handling and sending",
    ["channel"],
)
DUPLICATES = Counter(
    "motcua_duplicate_deliveries_total", "Updates delivered again by a messenger", ["channel"]
)
INBOX_GIVEN_UP = Counter(
    "motcua_inbox_given_up_total", "Updates set aside after killing their handler repeatedly"
)
INBOX_POSTPONED = Counter(
    "motcua_inbox_postponed_total",
    "Updates taken again later because their handlings kept being cut by a process's death",
)
INTAKE_REFUSED = Counter(
    "motcua_intake_refused_total",
    "Webhook deliveries answered 503 (starting, busy or the database unreachable)",
    ["channel", "reason"],
)
QUEUE_DEPTH = Gauge(
    "motcua_intake_queue_depth", "Updates waiting in a channel's queue", ["channel"]
)
OUTBOX_ROWS = Gauge("motcua_outbox_rows", "Outbox rows by status (read when scraped)", ["status"])
OUTBOX_OLDEST_PENDING = Gauge(
    "motcua_outbox_oldest_pending_seconds", "Age of the oldest pending push (read when scraped)"
)
REQUEST_SECONDS = Histogram(
    "motcua_http_request_seconds", "HTTP request latency", ["route", "method", "status"]
)
