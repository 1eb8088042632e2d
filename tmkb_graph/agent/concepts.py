"""Everyday words for the things the knowledge graph knows: component types and boundary kinds.

A request rarely names the vocabulary ("a Kafka consumer", "a nightly cron"); these phrases map
such words onto knowledge-graph nodes, so a pattern that involves a worker behind an event bus is
found for "consumer". Each phrase is matched as whole tokens.
"""

from __future__ import annotations

_ASYNC_WORKER = ("component_type:worker", "boundary:async")
_BUS = ("component_type:event_bus", "component_type:worker", "boundary:async")
_QUEUE = ("component_type:queue", "component_type:worker", "boundary:async")
_SCHEDULER = ("component_type:scheduler", "component_type:worker")
_WEBHOOK = ("component_type:webhook_receiver", "component_type:external_service", "boundary:third_party")
_SERVICE = ("boundary:service", "component_type:api")
_TENANT = ("boundary:tenant",)
_OBJECT_BY_ID = ("component_type:api", "boundary:ingress")

CONCEPTS: dict[str, tuple[str, ...]] = {
    # work that leaves the request
    "background": _ASYNC_WORKER, "async": _ASYNC_WORKER, "asynchronous": _ASYNC_WORKER,
    "job": _ASYNC_WORKER, "task": _ASYNC_WORKER, "worker": _ASYNC_WORKER,
    "queue": _QUEUE, "enqueue": _QUEUE, "sqs": _QUEUE, "bullmq": _QUEUE, "bull": _QUEUE,
    "sidekiq": _QUEUE, "resque": _QUEUE, "celery": _QUEUE, "rq": _QUEUE, "dramatiq": _QUEUE,
    "huey": _QUEUE, "arq": _QUEUE, "delay": _QUEUE, "apply async": _QUEUE, "rabbitmq": _QUEUE, "activejob": _QUEUE, "hangfire": _QUEUE,
    "consumer": _BUS, "subscriber": _BUS, "subscribe": _BUS, "listener": _BUS, "event handler": _BUS, "kafka": _BUS,
    "pubsub": _BUS, "pub sub": _BUS, "topic": _BUS, "sns": _BUS, "nats": _BUS, "kinesis": _BUS,
    "event bus": _BUS, "eventbridge": _BUS, "message broker": _BUS,
    # work nobody asked for
    "cron": _SCHEDULER, "crontab": _SCHEDULER, "nightly": _SCHEDULER, "scheduled": _SCHEDULER,
    "schedule": _SCHEDULER, "scheduler": _SCHEDULER, "periodic": _SCHEDULER, "hourly": _SCHEDULER,
    "daily": _SCHEDULER, "weekly": _SCHEDULER, "every night": _SCHEDULER, "beat": _SCHEDULER,
    # outside parties pushing in
    "webhook": _WEBHOOK, "callback": _WEBHOOK, "stripe": _WEBHOOK, "github": _WEBHOOK,
    "twilio": _WEBHOOK, "shopify": _WEBHOOK, "paypal": _WEBHOOK, "slack event": _WEBHOOK,
    "provider": _WEBHOOK, "svix": _WEBHOOK,
    # services calling services
    "microservice": _SERVICE, "service to service": _SERVICE, "internal api": _SERVICE,
    "internal service": _SERVICE, "another service": _SERVICE, "downstream service": _SERVICE,
    "upstream service": _SERVICE, "grpc": _SERVICE, "service mesh": _SERVICE, "mtls": _SERVICE,
    "gateway": ("component_type:gateway",), "kong": ("component_type:gateway",),
    "envoy": ("component_type:gateway",), "reverse proxy": ("component_type:gateway",),
    # what is shared between tenants
    "tenant": _TENANT, "multi tenant": _TENANT, "multitenant": _TENANT, "organization": _TENANT,
    "workspace": _TENANT,
    "database": ("component_type:database",), "postgres": ("component_type:database",),
    "mysql": ("component_type:database",), "sql": ("component_type:database",),
    "cache": ("component_type:cache",), "redis": ("component_type:cache",),
    "memcached": ("component_type:cache",), "bucket": ("component_type:object_store",),
    "s3": ("component_type:object_store",), "blob": ("component_type:object_store",),
    "elasticsearch": ("component_type:search_index",), "opensearch": ("component_type:search_index",),
    "search index": ("component_type:search_index",),
    # entry points, and objects reached through them by id
    "by id": _OBJECT_BY_ID, "idor": _OBJECT_BY_ID, "bola": _OBJECT_BY_ID, "object level": _OBJECT_BY_ID,
    "endpoint": ("component_type:api",), "route": ("component_type:api",), "api": ("component_type:api",),
    "view": ("component_type:api",), "controller": ("component_type:api",),
    "lambda": ("component_type:function",), "cloud function": ("component_type:function",),
    "serverless": ("component_type:function",),
}
