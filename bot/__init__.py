"""kim-bot: verified announcements, hoax reports and coverage for a regency's KIM network."""

__version__ = "0.1.0"
