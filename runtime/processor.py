"""Rasa's message processor, with a kind reply when the action server cannot answer.

Rasa 3.6 (MessageProcessor._run_action) logs a failed custom action and sends the user nothing, so a
person asking about their cancer while the action server restarts gets silence. Here a custom action
that fails, or takes longer than MBC_ACTION_TIMEOUT seconds (default 10), is replaced by a short
"please try again" message and the region's urgent-help line (data/safety/help_lines.yml), stored in
the conversation like any reply, with the `outcome` slot set to "unavailable" for staff. Answers
resume by themselves once the action server is back. A conversation whose start failed (no
disclaimer yet) is started again at its next message, so the disclaimer is never skipped.
"""
import asyncio
import json
import logging
from collections import defaultdict
from functools import lru_cache
from typing import List, Text

import aiohttp
import jsonschema
import ujson
import yaml
from rasa.core.actions.action import Action, ActionExecutionRejection, RemoteAction
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

import settings
from settings import ROOT

logger = logging.getLogger(__name__)
UNAVAILABLE = "I'm sorry, I can't look up answers right now. Please try again in a minute or two."


@lru_cache(maxsize=4)
def safety_note(region: Text) -> Text:
    lines = yaml.safe_load((ROOT / "data" / "safety" / "help_lines.yml").read_text(encoding="utf-8"))
    return lines[region]["safety_note"]


class ReplyWhenUnavailable(Action):
    """Runs a remote action; if the action server fails, replies kindly instead of staying silent."""

    def __init__(self, remote: RemoteAction, timeout: float) -> None:
        self.remote, self.timeout = remote, timeout

    def name(self) -> Text:
        return self.remote.name()

    async def run(self, output_channel, nlg, tracker, domain) -> List[Event]:
        try:
            return await asyncio.wait_for(self.remote.run(output_channel, nlg, tracker, domain), self.timeout)
        except ActionExecutionRejection:
            raise  # Rasa's own signal to try another action, not a failure
        except Exception as error:
            logger.error("action %s failed (%s: %s): replied 'try again shortly'", self.name(),
                         type(error).__name__, error)
        if self.name() == ACTION_SESSION_START_NAME:
            # No SessionStarted, so the next message tries the start again (FallbackProcessor); the
            # action answering this message fails too and says "try again", so it is said once.
            return [ActionExecuted(ACTION_LISTEN_NAME)]
        return [BotUttered(UNAVAILABLE),
                BotUttered(safety_note(settings.get("MBC_HELP_LINES"))),
                SlotSet("outcome", "unavailable")]


def _compiled(schema):
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


@lru_cache(maxsize=1)
def _validators():
    """Rasa's action-response schema, compiled once, with each event checked against the alternatives
    of its own type only. Rasa's event schema is a oneOf over 23 event types, each fixing `event` to
    one name, so an event can only ever match the alternatives carrying its name: checking those alone
    gives the same verdict, without trying the other 22 for every event (jsonschema is pure Python)."""
    spec = RemoteAction.action_response_format_spec()
    event_schema = spec["properties"]["events"]["items"]
    by_name = defaultdict(list)
    for alternative in event_schema["oneOf"]:
        by_name[alternative["properties"]["event"]["const"]].append(alternative)
    per_type = {name: _compiled({**event_schema, "oneOf": alternatives}) for name, alternatives in by_name.items()}
    shell = {**spec, "properties": {**spec["properties"], "events": {"type": "array"}}}
    return _compiled(spec), _compiled(shell), per_type


def validate_action_response(result) -> bool:
    """The check Rasa makes of every action server response (Rasa calls jsonschema.validate, which also
    re-checks the schema itself on every call: about half of the Rasa server's CPU per answered message,
    measured with py-spy under `make bench` load). Raises jsonschema.ValidationError as Rasa's does."""
    whole, shell, per_type = _validators()
    shell.validate(result)
    for event in (result.get("events") or []) if isinstance(result, dict) else []:
        name = event.get("event") if isinstance(event, dict) else None
        if isinstance(name, str) and name in per_type:
            per_type[name].validate(event)
        else:
            whole.validate(result)  # no known type: the full schema gives Rasa's own error
    return True


class _Borrowed:
    """`async with` on a shared session that must stay open afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc) -> bool:
        return False


def encode_json(body) -> str:
    """The action call's body as JSON: ujson (faster than the json module on the tracker state sent
    with every call), ASCII-only like the json module's, so any text a user sent, even half
    an emoji pair, encodes to UTF-8; the json module for anything ujson refuses, so errors stay Rasa's."""
    try:
        return ujson.dumps(body, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(body)


class PooledEndpoint(EndpointConfig):
    """The action endpoint with one kept-alive HTTP session per process: Rasa opens a new session, so a
    new TCP connection, for every action call. Idle connections are dropped after 2 s, before the
    action server (Sanic: 5 s) closes them, so a request never lands on a connection being closed.
    Bodies are encoded by encode_json."""

    _shared = None

    @classmethod
    def of(cls, endpoint: EndpointConfig) -> "PooledEndpoint":
        return cls(url=endpoint.url, params=endpoint.params, headers=endpoint.headers,
                   basic_auth=endpoint.basic_auth, token=endpoint.token, token_name=endpoint.token_name,
                   cafile=endpoint.cafile, **endpoint.kwargs)

    def session(self):
        if self._shared is None or self._shared.closed:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
            self._shared = aiohttp.ClientSession(
                headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=2), json_serialize=encode_json)
        return _Borrowed(self._shared)


class FallbackProcessor(MessageProcessor):
    async def _update_tracker_session(self, tracker, output_channel, metadata=None) -> None:
        if tracker.events and not any(isinstance(e, SessionStarted) for e in tracker.events):
            # The conversation's start failed (action server down): start it now, disclaimer included.
            await self._run_action(self._get_action(ACTION_SESSION_START_NAME), tracker, output_channel, self.nlg,
                                   PolicyPrediction.for_action_name(self.domain, ACTION_SESSION_START_NAME))
            return
        await super()._update_tracker_session(tracker, output_channel, metadata)

    async def _run_action(self, action, tracker, output_channel, nlg, prediction) -> bool:
        if isinstance(action, RemoteAction):
            if not isinstance(action.action_endpoint, PooledEndpoint):
                if getattr(self, "_pooled", None) is None:
                    self._pooled = PooledEndpoint.of(action.action_endpoint)
                action.action_endpoint = self._pooled
                action._validate_action_result = validate_action_response
            action = ReplyWhenUnavailable(action, settings.get_float("MBC_ACTION_TIMEOUT"))
        return await super()._run_action(action, tracker, output_channel, nlg, prediction)
