"""Announcements, the durable outbox, the dispatcher and the scheduler."""
