"""A small KIM network for delivery tests: groups the bot is in, approved registrations and
subscribed villagers, arranged through kim-bot's own functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot import people, registrations, subscriptions
from bot.chats import ChatType
from bot.people import Person, Role
from bot.services import KimApp
from bot.subscriptions import AreaRef, Scope
from bot.topics import BY_KEY
from botapi_sandbox import BotApiServer, FakeChat, FakeUser


@dataclass
class Network:
    server: BotApiServer
    app: KimApp
    groups: dict[str, FakeChat] = field(default_factory=dict)
    villagers: dict[str, FakeUser] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.app.bot_data.clock.now()

    async def kim_group(self, name: str, desa_code: str, admin: FakeUser) -> FakeChat:
        group = await self._group_with_bot(name, admin)
        registration = await registrations.request_kim(
            self.app.bot_data.db,
            chat_id=group.id,
            chat_type=ChatType.GROUP,
            chat_title=name,
            desa_code=desa_code,
            name=name,
            requested_by=admin.id,
            requested_by_name=admin.first_name,
            now=self.now,
        )
        return await self._approved(name, group, registration.id)

    async def forum(self, name: str, kecamatan_code: str | None, admin: FakeUser) -> FakeChat:
        group = await self._group_with_bot(name, admin)
        registration = await registrations.request_forum(
            self.app.bot_data.db,
            chat_id=group.id,
            chat_type=ChatType.GROUP,
            chat_title=name,
            kecamatan_code=kecamatan_code,
            name=name,
            requested_by=admin.id,
            requested_by_name=admin.first_name,
            now=self.now,
        )
        return await self._approved(name, group, registration.id)

    async def _group_with_bot(self, name: str, admin: FakeUser) -> FakeChat:
        """A group the admin added the bot to, once the bot has greeted it."""
        group = self.server.new_group(name, admins=[admin])
        await self.server.add_bot_to(group, by=admin)
        await self.server.wait_for_call(
            "sendMessage", where=lambda r: r.params.get("chat_id") == group.id
        )
        return group

    async def _approved(self, name: str, group: FakeChat, registration_id: int) -> FakeChat:
        await registrations.decide(
            self.app.bot_data.db, registration_id, approve=True, actor_id=0, now=self.now
        )
        self.groups[name] = group
        return group

    async def villager(self, name: str, area: AreaRef, *topics: str) -> FakeUser:
        """A villager who started the bot and subscribed to one area."""
        user = self.server.new_user(name)
        chat = self.server.private(user)
        await chat.send("/start")
        await chat.expect()
        db = self.app.bot_data.db
        resolved = await subscriptions.resolve(db, area)
        assert resolved is not None
        bits = sum(BY_KEY[topic].bit for topic in topics)
        await subscriptions.subscribe(db, user_id=user.id, area=resolved, topics=bits, now=self.now)
        self.villagers[name] = user
        return user

    async def staff(self, name: str, role: Role) -> FakeUser:
        user = self.server.new_user(name)
        chat = self.server.private(user)
        await chat.send("/start")
        await chat.expect()
        db = self.app.bot_data.db
        await people.remember(db, Person(user.id, name), self.now)
        await people.grant(db, user_id=user.id, role=role, actor_id=None, now=self.now)
        return user


def desa(code: str) -> AreaRef:
    return AreaRef(Scope.DESA, code)


def kecamatan(code: str) -> AreaRef:
    return AreaRef(Scope.KECAMATAN, code)
