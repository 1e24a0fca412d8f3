"""Bot API methods that create, change or remove messages, and callback answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botapi_sandbox.content import parse_formatted, parse_reply_markup
from botapi_sandbox.errors import ApiError, bad_request
from botapi_sandbox.models import JSON, CallbackAnswer, FakeChat, SentMessage, StoredFile
from botapi_sandbox.params import Upload, resolve_attachments
from botapi_sandbox.people import People
from botapi_sandbox.state import World

Params = dict[str, Any]
Handler = Callable[[People, Params], Any]

MEDIA_KINDS = ("photo", "document", "video", "audio", "voice", "animation", "sticker", "video_note")
DELETE_WINDOW = 48 * 3600
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def _reply_target(world: World, chat: FakeChat, p: Params) -> int | None:
    """reply_parameters / reply_to_message_id, checked like Telegram."""
    params = p.get("reply_parameters")
    target = params.get("message_id") if isinstance(params, dict) else p.get("reply_to_message_id")
    if target is None:
        return None
    allow = p.get("allow_sending_without_reply") or (
        isinstance(params, dict) and params.get("allow_sending_without_reply")
    )
    if world.find_message(chat.id, int(target)) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(target)


def _new_message(
    world: World, chat: FakeChat, p: Params, method: str, kind: str, **fields: Any
) -> SentMessage:
    markup, buttons = parse_reply_markup(p.get("reply_markup"))
    return SentMessage(
        message_id=world.next_message_id(chat.id),
        chat_id=chat.id,
        kind=kind,
        date=world.now(),
        method=method,
        reply_markup=markup,
        buttons=buttons,
        reply_to_message_id=_reply_target(world, chat, p),
        **fields,
    )


def send_message(people: People, p: Params) -> JSON:
    """sendMessage."""
    world = people.world
    chat = world.accessible(p.get("chat_id"))
    text, entities = parse_formatted(p.get("text"), p.get("parse_mode"), p.get("entities"))
    msg = _new_message(world, chat, p, "sendMessage", "text", text=text, entities=entities)
    return world.message_api(world.record_sent(msg))


def _media_object(kind: str, stored: StoredFile) -> Any:
    """The Bot API object describing a media file of this kind."""
    base: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if kind == "photo":
        return [{**base, "width": 1280, "height": 960}]
    if kind == "document":
        extra = {"file_name": stored.filename, "mime_type": stored.mime_type}
        return {**base, **{k: v for k, v in extra.items() if v}}
    if kind in ("video", "animation"):
        return {**base, "width": 640, "height": 480, "duration": 1}
    if kind in ("audio", "voice"):
        return {**base, "duration": 1}
    if kind == "video_note":
        return {**base, "length": 240, "duration": 1}
    return {
        **base,
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }


def _input_file(world: World, kind: str, value: Any) -> StoredFile:
    """An upload, a known file_id, or an HTTP URL Telegram would fetch."""
    if isinstance(value, Upload):
        return world.store_file(
            value.data, kind, filename=value.filename, mime_type=value.mime_type
        )
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return world.store_file(b"", kind, filename=value.rsplit("/", 1)[-1] or None, url=value)
    if isinstance(value, str) and value:
        return world.file(value)
    raise bad_request(f"there is no {kind} in the request")


def _media_fields(world: World, kind: str, value: Any, p: Params) -> dict[str, Any]:
    stored = _input_file(world, kind, value)
    caption, entities = parse_formatted(
        p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
    )
    return {
        "text": caption,
        "entities": entities,
        "data": stored.data if stored.url is None else None,
        "filename": stored.filename,
        "mime_type": stored.mime_type,
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "extra": {kind: _media_object(kind, stored)},
    }


def _send_media(kind: str, method: str) -> Handler:
    def handler(people: People, p: Params) -> JSON:
        world = people.world
        chat = world.accessible(p.get("chat_id"))
        fields = _media_fields(world, kind, p.get(kind), p)
        return world.message_api(
            world.record_sent(_new_message(world, chat, p, method, kind, **fields))
        )

    handler.__doc__ = f"{method}: upload or file_id/URL, optional caption."
    return handler


def send_location(people: People, p: Params) -> JSON:
    """sendLocation."""
    world = people.world
    chat = world.accessible(p.get("chat_id"))
    try:
        location = {"latitude": float(p["latitude"]), "longitude": float(p["longitude"])}
    except (KeyError, TypeError, ValueError):
        raise bad_request("wrong latitude or longitude specified") from None
    msg = _new_message(world, chat, p, "sendLocation", "location", extra={"location": location})
    return world.message_api(world.record_sent(msg))


def send_media_group(people: People, p: Params) -> list[JSON]:
    """sendMediaGroup: 2-10 photos/videos/documents, attach:// uploads resolved."""
    world = people.world
    chat = world.accessible(p.get("chat_id"))
    media = resolve_attachments(p.get("media"), p)
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media specified; must be 2-10")
    group_id = str(world.next_id())
    messages = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in (
            "photo",
            "video",
            "document",
            "audio",
        ):
            raise bad_request("can't parse InputMedia JSON object")
        kind = item["type"]
        fields = _media_fields(world, kind, item.get("media"), item)
        fields["extra"]["media_group_id"] = group_id
        messages.append(_new_message(world, chat, p, "sendMediaGroup", kind, **fields))
    return [world.message_api(world.record_sent(m)) for m in messages]


def _content_of(world: World, source: SentMessage | JSON) -> dict[str, Any]:
    """Message content (not identity) of a bot or user message, for copy/forward."""
    if isinstance(source, SentMessage):
        return {
            "kind": source.kind,
            "text": source.text,
            "entities": list(source.entities),
            "data": source.data,
            "filename": source.filename,
            "mime_type": source.mime_type,
            "file_id": source.file_id,
            "file_unique_id": source.file_unique_id,
            "extra": dict(source.extra),
        }
    if "text" in source:
        return {
            "kind": "text",
            "text": source["text"],
            "entities": list(source.get("entities", [])),
        }
    for kind in (*MEDIA_KINDS, "location", "contact", "venue", "poll", "dice"):
        if kind not in source:
            continue
        content: dict[str, Any] = {
            "kind": kind,
            "text": source.get("caption", ""),
            "entities": list(source.get("caption_entities", [])),
            "extra": {kind: source[kind]},
        }
        if kind in MEDIA_KINDS:
            ref = source[kind][-1] if kind == "photo" else source[kind]
            stored = world.files.get(ref["file_id"])
            if stored is not None:
                content.update(
                    data=stored.data, filename=stored.filename, mime_type=stored.mime_type
                )
            content.update(file_id=ref["file_id"], file_unique_id=ref["file_unique_id"])
        return content
    raise bad_request("message can't be copied")


def _origin(world: World, source: SentMessage | JSON, from_chat: FakeChat) -> JSON:
    """forward_origin as in Bot API 7+ (an existing origin is kept)."""
    if isinstance(source, SentMessage):
        if source.forward_origin is not None:
            return source.forward_origin
        if from_chat.type == "channel":
            return {
                "type": "channel",
                "chat": from_chat.to_api(),
                "message_id": source.message_id,
                "date": source.date,
            }
        return {"type": "user", "sender_user": world.bot.to_api(), "date": source.date}
    if "forward_origin" in source:
        return dict(source["forward_origin"])
    if from_chat.type == "channel":
        return {
            "type": "channel",
            "chat": from_chat.to_api(),
            "message_id": source["message_id"],
            "date": source["date"],
        }
    return {"type": "user", "sender_user": source["from"], "date": source["date"]}


def _source(world: World, p: Params, what: str) -> tuple[FakeChat, SentMessage | JSON]:
    from_chat = world.accessible(p.get("from_chat_id"), write=False)
    found = world.find_message(from_chat.id, int(p.get("message_id") or 0))
    if found is None:
        raise bad_request(f"message to {what} not found")
    return from_chat, found


def copy_message(people: People, p: Params) -> JSON:
    """copyMessage: same content, no link to the original; returns only the new id."""
    world = people.world
    chat = world.accessible(p.get("chat_id"))
    from_chat, source = _source(world, p, "copy")
    content = _content_of(world, source)
    kind = content.pop("kind")
    if "caption" in p or "caption_entities" in p:
        if kind == "text":
            raise bad_request("message caption can't be set for text messages")
        content["text"], content["entities"] = parse_formatted(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
    msg = _new_message(
        world,
        chat,
        p,
        "copyMessage",
        kind,
        copied_from=(from_chat.id, source_id(source)),
        **content,
    )
    world.record_sent(msg)
    return {"message_id": msg.message_id}


def forward_message(people: People, p: Params) -> JSON:
    """forwardMessage: same content with forward_origin; keyboards are not forwarded."""
    world = people.world
    chat = world.accessible(p.get("chat_id"))
    from_chat, source = _source(world, p, "forward")
    content = _content_of(world, source)
    kind = content.pop("kind")
    msg = SentMessage(
        message_id=world.next_message_id(chat.id),
        chat_id=chat.id,
        kind=kind,
        date=world.now(),
        method="forwardMessage",
        forward_origin=_origin(world, source, from_chat),
        copied_from=(from_chat.id, source_id(source)),
        **content,
    )
    return world.message_api(world.record_sent(msg))


def source_id(source: SentMessage | JSON) -> int:
    """message_id of a bot or user message."""
    return source.message_id if isinstance(source, SentMessage) else int(source["message_id"])


def _editable(world: World, p: Params) -> SentMessage:
    if p.get("inline_message_id"):
        raise bad_request("inline messages are not supported by this test server")
    chat = world.accessible(p.get("chat_id"))
    key = (chat.id, int(p.get("message_id") or 0))
    msg = world.sent_index.get(key)
    if msg is None or msg.deleted:
        if key in world.user_messages and key not in world.deleted_user_messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return msg


def _apply_edit(
    world: World, msg: SentMessage, text: str, entities: list[Any], markup: Any
) -> JSON:
    parsed_markup, buttons = parse_reply_markup(markup)
    if parsed_markup is not None and "inline_keyboard" not in parsed_markup:
        raise bad_request("only inline keyboards can be attached to edited messages")
    if text == msg.text and entities == msg.entities and parsed_markup == msg.reply_markup:
        raise bad_request(_NOT_MODIFIED)
    if text != msg.text:
        msg.previous_texts.append(msg.text)
    msg.text, msg.entities, msg.reply_markup, msg.buttons = text, entities, parsed_markup, buttons
    msg.edits += 1
    msg.edit_date = world.now()
    world.notify()
    return world.message_api(msg)


def edit_message_text(people: People, p: Params) -> JSON:
    """editMessageText; like Telegram, omitting reply_markup removes the inline keyboard."""
    world = people.world
    msg = _editable(world, p)
    if msg.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text, entities = parse_formatted(p.get("text"), p.get("parse_mode"), p.get("entities"))
    return _apply_edit(world, msg, text, entities, p.get("reply_markup"))


def edit_message_caption(people: People, p: Params) -> JSON:
    """editMessageCaption."""
    world = people.world
    msg = _editable(world, p)
    if msg.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    text, entities = parse_formatted(
        p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
    )
    return _apply_edit(world, msg, text, entities, p.get("reply_markup"))


def edit_message_reply_markup(people: People, p: Params) -> JSON:
    """editMessageReplyMarkup."""
    world = people.world
    msg = _editable(world, p)
    return _apply_edit(world, msg, msg.text, msg.entities, p.get("reply_markup"))


def _delete_one(world: World, chat: FakeChat, message_id: int) -> None:
    key = (chat.id, message_id)
    found = world.find_message(chat.id, message_id)
    if found is None:
        raise bad_request("message to delete not found")
    date = found.date if isinstance(found, SentMessage) else int(found["date"])
    bot_is_admin = chat.bot_status == "administrator"
    old = world.now() - date > DELETE_WINDOW
    if old and not (bot_is_admin and chat.type in ("supergroup", "channel")):
        raise bad_request("message can't be deleted")
    if isinstance(found, SentMessage):
        found.deleted = True
    else:
        if chat.type != "private" and not bot_is_admin:
            raise bad_request("message can't be deleted")
        world.deleted_user_messages.add(key)
    world.notify()


def delete_message(people: People, p: Params) -> bool:
    """deleteMessage: own messages, incoming private ones, anything as group admin; < 48 h."""
    world = people.world
    chat = world.accessible(p.get("chat_id"))
    _delete_one(world, chat, int(p.get("message_id") or 0))
    return True


def delete_messages(people: People, p: Params) -> bool:
    """deleteMessages: messages that cannot be deleted are skipped."""
    world = people.world
    chat = world.accessible(p.get("chat_id"))
    ids = p.get("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")
    for message_id in ids:
        try:
            _delete_one(world, chat, int(message_id))
        except ApiError:
            continue  # Telegram skips undeletable messages silently
    return True


def answer_callback_query(people: People, p: Params) -> bool:
    """answerCallbackQuery: each query can be answered exactly once."""
    world = people.world
    query_id = str(p.get("callback_query_id", ""))
    if query_id not in world.callbacks or world.callbacks[query_id] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    world.callbacks[query_id] = CallbackAnswer(
        query_id=query_id,
        text=None if text is None else str(text),
        show_alert=bool(p.get("show_alert", False)),
        url=p.get("url"),
        cache_time=p.get("cache_time"),
    )
    world.notify()
    return True


def send_chat_action(people: People, p: Params) -> bool:
    """sendChatAction: only checks the chat."""
    people.world.accessible(p.get("chat_id"))
    return True


SEND_METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendPhoto": _send_media("photo", "sendPhoto"),
    "sendDocument": _send_media("document", "sendDocument"),
    "sendVideo": _send_media("video", "sendVideo"),
    "sendAudio": _send_media("audio", "sendAudio"),
    "sendVoice": _send_media("voice", "sendVoice"),
    "sendAnimation": _send_media("animation", "sendAnimation"),
    "sendSticker": _send_media("sticker", "sendSticker"),
    "sendVideoNote": _send_media("video_note", "sendVideoNote"),
    "sendLocation": send_location,
    "sendMediaGroup": send_media_group,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
}
OTHER_MESSAGE_METHODS: dict[str, Handler] = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
}
