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
that influences the conversation, no form, only the events below in the session, and a trained
policy whose list of rules "not in stories" holds only its rules and default-action notes (then the
description of a prediction no rule made, which RulePolicy looks up in that list, is found in it
neither from all the states nor from the last few); otherwise RulePolicy's own code runs, and always
while the policy trains (the trained lookup is Rasa's own). tests/unit/test_rule_states.py checks both give
the same states and the same predictions.

`remembered_possible_keys`: which rules match a list of states depends on nothing else once the
policy is trained, and with the states cut to the last few the same lists recur all the time, so the
answer is kept per list (RulePolicy otherwise tests each of its ~50 rules against them, twice per
prediction). A patient's words have no business in a cache: in RulePolicy's pass for text-based
rules the message's text is part of the list, so it is blanked in the key when no rule reads text (the
matches cannot depend on it then), and the list is not kept at all when one does.
"""
import json
from typing import Any, Dict, List, NamedTuple, Optional, Set, Text

from rasa.core.policies.rule_policy import (
    DEFAULT_RULES,
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    RULES_NOT_IN_STORIES,
    RulePolicy,
)
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import USER
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, ACTION_TEXT, TEXT

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


class RuleFacts(NamedTuple):
    """What the cheap paths need to know of a trained policy."""
    longest_rule: int  # how many of the latest states any of its rules looks at
    recent_suffice: bool  # whether the last `longest_rule` states give the same predictions as all of them
    rules_read_text: bool  # whether any rule matches on a message's text


def rule_facts(policy: RulePolicy) -> RuleFacts:
    """The policy's RuleFacts, worked out once (its lookup is fixed once trained). The last states
    suffice when the rules match the same on them (no rule looks further back) and a prediction no rule
    made is described (from the states) by something RulePolicy's list of rules "not in stories" cannot
    hold: it holds only rules, none of which matched, and default-action notes."""
    if "_mbc_rule_facts" not in policy.__dict__:
        keys = [*policy.lookup.get(RULES, {}), *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
        rules = [policy._rule_key_to_state(key) for key in keys]
        known = set(keys)
        policy.__dict__["_mbc_rule_facts"] = RuleFacts(
            longest_rule=max((len(rule) for rule in rules), default=1),
            recent_suffice=bool(policy.lookup.get(RULES)) and all(
                entry in known or entry.startswith(DEFAULT_RULES) for entry in policy.lookup.get(RULES_NOT_IN_STORIES, [])),
            rules_read_text=any(TEXT in state.get(USER, {}) for rule in rules for state in rule))
    return policy.__dict__["_mbc_rule_facts"]


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
    facts = rule_facts(policy)
    events = simple_session(tracker) if facts.recent_suffice and states_are_simple(domain) else None
    if events is None:
        return rasa_prediction_states(policy, tracker, domain, use_text_for_last_user_input, rule_only_data)
    keep = facts.longest_rule
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


def without_text(states: List[State]) -> List[State]:
    return [{**state, USER: {**state[USER], TEXT: ""}} if TEXT in state.get(USER, {}) else state for state in states]


def remembered_possible_keys(policy: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    with_text = any(TEXT in state.get(USER, {}) for state in states)
    if with_text and rule_facts(policy).rules_read_text:
        return rasa_possible_keys(policy, lookup, states)
    remembered = policy.__dict__.setdefault("_mbc_possible_keys", {})
    # A policy's lookups stay the same objects, so their ids tell them apart.
    key = (id(lookup), json.dumps(without_text(states) if with_text else states, sort_keys=True))
    if key not in remembered:
        if len(remembered) >= REMEMBERED_MATCHES:
            remembered.clear()
        remembered[key] = frozenset(rasa_possible_keys(policy, lookup, states))
    return set(remembered[key])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True)
class RecentStatesRulePolicy(RulePolicy):
    """RulePolicy with the two cheap paths above; named in config.yml. Its name ends in "RulePolicy",
    which is how Rasa's ensemble tells a rule policy's predictions apart (rasa.core.policies.ensemble)."""

    _training = False

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        self._training = True  # Rasa's own code all the way: the trained lookup must be Rasa's
        try:
            return super().train(training_trackers, domain, **kwargs)
        finally:
            self._training = False

    def _prediction_states(self, tracker: DialogueStateTracker, domain: Domain,
                           use_text_for_last_user_input: bool = False,
                           rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
        if self._training:
            return rasa_prediction_states(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
        return recent_prediction_states(self, tracker, domain, use_text_for_last_user_input, rule_only_data)

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        if self._training:
            return rasa_possible_keys(self, lookup, states)
        return remembered_possible_keys(self, lookup, states)
