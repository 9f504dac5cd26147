"""RulePolicy's view of the conversation built from the latest events alone, and its rule matches remembered.

For every prediction (two or three per message) Rasa 3.6's RulePolicy turns the whole session into a
list of states - the user's intent and the previous action before each action - by replaying every
event into a fresh copy of the tracker, twice (once with the last message's text, once with its
intent), then matches its rules against every state of that list. That was about a fifth of the Rasa
server's CPU per message under load (`make profile`).

`recent_prediction_states` gives RulePolicy the same states, worked out the way Rasa's
Domain.states_for_tracker_history does (each event's own `apply_to`, `Domain.get_active_state`), but
on a small record of what a state reads - the latest user message and the latest action - and keeps
only the last states a rule can look at (the longest rule's length: a rule never looks further back,
see RulePolicy._is_rule_applicable). It applies only where that record is the whole state: no slot
that influences the conversation, no form, and only the events below in the session; otherwise
RulePolicy's own code runs. The servers use it (mbc/rasa_main.py); training runs Rasa's own code.
tests/test_rule_states.py checks both give the same states and the same predictions.

`remembered_possible_keys`: which rules match a list of states depends on nothing else once the
policy is trained, and with the states cut to the last few the same lists recur all the time, so the
answer is kept per list (RulePolicy otherwise tests each of its ~50 rules against them, twice per
prediction).
"""
import json
from typing import Any, Dict, List, Optional, Set, Text

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.nlu.constants import ACTION_NAME, ACTION_TEXT
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (ActionExecuted, BotUttered, DefinePrevUserUtteredFeaturization, Event, Restarted,
                                     SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

# Events whose effect on a state is only on the latest user message or the latest action.
SIMPLE_EVENTS = {UserUttered, ActionExecuted, BotUttered, SlotSet, DefinePrevUserUtteredFeaturization}
# Events after which Rasa replays the session from a fresh tracker (DialogueStateTracker.applied_events).
SESSION_STARTS = {SessionStarted, Restarted}

rasa_prediction_states = RulePolicy._prediction_states
rasa_possible_keys = RulePolicy._get_possible_keys
REMEMBERED_MATCHES = 4096  # lists of states per policy; forgotten all at once beyond that


class LatestTurn:
    """The part of a tracker that Domain.get_active_state reads and the simple events write, when no
    slot influences the conversation and there is no loop."""

    slots: Dict[Text, Any] = {}  # never written: SlotSet goes to _set_slot below
    active_loop = None

    def __init__(self) -> None:
        self.latest_action: Dict[Text, Text] = {}
        self.latest_message: Optional[UserUttered] = UserUttered.empty()
        self.latest_bot_utterance: Optional[BotUttered] = None

    @property
    def latest_action_name(self) -> Optional[Text]:
        return self.latest_action.get(ACTION_NAME) or self.latest_action.get(ACTION_TEXT)

    def set_latest_action(self, action: Dict[Text, Text]) -> None:
        self.latest_action = action

    def clear_followup_action(self) -> None:
        pass  # followup actions are not part of a state

    def _set_slot(self, key: Text, value: Any) -> None:
        pass  # no slot is featurized (states_are_simple)


def states_are_simple(domain: Domain) -> bool:
    """Whether a state holds nothing but the user's input and the previous action in this domain."""
    if "_mbc_simple_states" not in domain.__dict__:  # the server's domain never changes once loaded
        domain.__dict__["_mbc_simple_states"] = not domain.form_names and not any(
            slot.influence_conversation for slot in domain.slots)
    return domain.__dict__["_mbc_simple_states"]


def longest_rule(policy: RulePolicy) -> int:
    """How many of the latest states any of the policy's rules looks at."""
    keys = [*policy.lookup.get(RULES, {}), *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
    return max((len(policy._rule_key_to_state(key)) for key in keys), default=1)


def simple_session(tracker: DialogueStateTracker) -> Optional[List[Event]]:
    """The events since the session began, if all are simple: what tracker.applied_events() gives then
    (it differs only for reverted events and loops), found by one pass over the event types."""
    start = 0
    for index, event in enumerate(tracker.events):
        kind = type(event)
        if kind in SESSION_STARTS:
            start = index + 1
        elif kind not in SIMPLE_EVENTS:
            return None
    return list(tracker.events)[start:]


def recent_prediction_states(policy: RulePolicy, tracker: DialogueStateTracker, domain: Domain,
                             use_text_for_last_user_input: bool = False,
                             rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
    events = simple_session(tracker) if states_are_simple(domain) and policy.lookup.get(RULES) else None
    if events is None:
        return rasa_prediction_states(policy, tracker, domain, use_text_for_last_user_input, rule_only_data)
    if "_mbc_longest_rule" not in policy.__dict__:  # the lookup is fixed once the policy is trained
        policy.__dict__["_mbc_longest_rule"] = longest_rule(policy)
    keep = policy.__dict__["_mbc_longest_rule"]
    # One state before each action and one for now, each taken when it happens (as Rasa does: a later
    # DefinePrevUserUtteredFeaturization changes the message object, not the states taken before it).
    # Only the last `keep` of them are worked out.
    actions = sum(type(event) is ActionExecuted for event in events)
    turn, states, seen = LatestTurn(), [], 0
    for event in events:
        if type(event) is ActionExecuted:
            seen += 1
            if seen > actions + 1 - keep:
                states.append(domain.get_active_state(turn))
        event.apply_to(turn)
    states.append(domain.get_active_state(turn))
    policy.featurizer._choose_last_user_input([states], use_text_for_last_user_input)
    return states


def remembered_possible_keys(policy: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    remembered = policy.__dict__.setdefault("_mbc_possible_keys", {})
    key = (id(lookup), json.dumps(states, sort_keys=True))  # a policy's lookups stay the same objects
    if key not in remembered:
        if len(remembered) >= REMEMBERED_MATCHES:
            remembered.clear()
        remembered[key] = frozenset(rasa_possible_keys(policy, lookup, states))
    return set(remembered[key])
