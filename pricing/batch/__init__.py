"""Batch pricing of city lists: vectorized on integer cents, streamed in chunks."""
