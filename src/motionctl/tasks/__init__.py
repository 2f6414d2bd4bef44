"""Durable tasks: SQL models, the store (queue + resource), leases, worker, callbacks, billing."""
