"""Graph API error answers, shaped and worded as Meta's Cloud API sends them.

Every failure is ``{"error": {"message": "(#<code>) <title>", "type", "code",
"error_data": {"messaging_product": "whatsapp", "details"}, "fbtrace_id"}}``; a client
should branch on ``code`` (and ``details``), as Meta recommends, never on the HTTP status.
The same code and title appear in a ``failed`` status webhook's ``errors[]`` when a
message is accepted first and fails on its way to the phone.
"""

from __future__ import annotations

import itertools
from typing import Any

# Meta's titles and details for the codes a bot must handle (Cloud API error code reference).
TITLES: dict[int, tuple[str, str]] = {
    1: ("API Unknown", "Invalid request or possible server error."),
    2: ("API Service", "Temporary due to downtime or due to being overloaded."),
    100: (
        "Invalid parameter",
        "The request included one or more unsupported or misspelled parameters.",
    ),
    190: ("Access token has expired", "Your access token has expired."),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131008: ("Required parameter is missing", "The request is missing a required parameter."),
    131009: ("Parameter value is not valid", "One or more parameter values are invalid."),
    131026: (
        "Message Undeliverable",
        "Unable to deliver message. The recipient phone number is not a WhatsApp phone number.",
    ),
    131047: (
        "Re-engagement message",
        "More than 24 hours have passed since the recipient last replied to the sender number.",
    ),
    131048: (
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on "
        "how many messages can be sent from this phone number. This may be because too "
        "many previous messages were blocked or flagged as spam.",
    ),
    131049: (
        "Message not delivered to maintain healthy ecosystem engagement",
        "This message was not delivered to maintain healthy ecosystem engagement.",
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving "
        "marketing messages on WhatsApp from your business.",
        "This recipient has chosen to stop receiving marketing messages on WhatsApp "
        "from your business.",
    ),
    131051: ("Unsupported message type", "Unsupported message type."),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from the sender phone number to the same recipient phone "
        "number in a short period of time.",
    ),
    132000: (
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values included in the request did not match "
        "the number of variable parameters defined in the template.",
    ),
    132001: (
        "Template name does not exist in the translation",
        "The template does not exist in the specified language or the template has not "
        "been approved.",
    ),
}
# Codes Meta may report only later, in a ``failed`` status webhook, after answering 200.
DEFERRABLE = frozenset({131026, 131047, 131049, 131050, 131051})
# Exceeding the messaging tier: Meta's reference has no code of its own for it; the sandbox
# reports it as 131049 (messages not delivered to keep the ecosystem healthy), as a failed
# status, so a bot that paces by its tier never sees it.
TIER_LIMIT = 131049
_trace = itertools.count(1)


class GraphError(Exception):
    """A failed Graph API call; raised anywhere inside a handler, answered by the server."""

    def __init__(self, code: int, details: str | None = None, *, status: int | None = None) -> None:
        title, default = TITLES.get(code, ("Error", "Unknown error."))
        super().__init__(f"(#{code}) {title}")
        self.code = code
        self.title = title
        self.details = details or default
        self.status = status if status is not None else (401 if code == 190 else 400)
        self.fbtrace_id = f"A{next(_trace):011d}sandbox"

    @property
    def message(self) -> str:
        """``(#code) title``, as Meta combines them."""
        return str(self)

    @property
    def type(self) -> str:
        """Graph's error type: the Cloud API sends OAuthException for its own codes too."""
        return "GraphMethodException" if self.status >= 500 else "OAuthException"

    def payload(self) -> dict[str, Any]:
        """The JSON body of the HTTP answer."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
                "fbtrace_id": self.fbtrace_id,
            }
        }

    def webhook_error(self) -> dict[str, Any]:
        """The entry of a ``failed`` status's ``errors[]``."""
        return {
            "code": self.code,
            "title": self.title,
            "message": self.message,
            "error_data": {"details": self.details},
        }


def invalid(details: str) -> GraphError:
    """131009: a value breaks one of the message type's rules."""
    return GraphError(131009, details)


def bad_param(details: str) -> GraphError:
    """100: a parameter is missing, misspelled or of the wrong kind."""
    return GraphError(100, details)


def server_error(status: int = 500) -> GraphError:
    """A 5xx: Meta's code 2 (service temporarily unavailable) or 1 (unknown)."""
    return GraphError(2 if status == 503 else 1, status=status)
