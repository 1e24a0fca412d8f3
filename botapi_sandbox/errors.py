"""Bot API error responses, worded like Telegram's so PTB raises the same exceptions."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An ``ok: false`` answer; raised anywhere inside a method handler."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would send."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400, which PTB maps to ``BadRequest``."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403, which PTB maps to ``Forbidden``."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int | float) -> ApiError:
    """429 with ``retry_after``, which PTB maps to ``RetryAfter``."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def chat_not_found() -> ApiError:
    """The most common 400: unknown chat or one the bot cannot see."""
    return bad_request("chat not found")


def migrated(new_chat_id: int) -> ApiError:
    """400 with ``migrate_to_chat_id``, which PTB maps to ``ChatMigrated``."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


def server_error(status: int = 500) -> ApiError:
    """5xx, which PTB maps to ``NetworkError``."""
    phrase = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}.get(
        status, "Server Error"
    )
    return ApiError(status, phrase)
