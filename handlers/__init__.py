"""Thin Telegram handlers, one module per area of use; each exposes `register(app)`."""
