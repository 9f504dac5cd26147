"""Generated review data for the list-page benchmark: many conversations written straight into the
review tables (as the indexer would leave them), and Rasa-format events to time the indexer itself."""
import datetime as dt
import json
import random
from typing import List

import sqlalchemy as sa

from review.schema import FLAGGED_OUTCOMES, conversations, events, messages, tags, tracker_metadata

QUESTIONS = [
    "what is stable disease", "can stage 1 become metastatic", "is mbc curable", "how long can i live with mbc",
    "what does progression mean", "my scan showed new spots what now", "does diet change anything",
    "where can i find a clinical trial near me", "can i still work during treatment", "what is her2 low",
    "is it my fault the cancer came back", "how do i tell my kids", "what is the weather today",
]
CHANNELS = ["rest", "socketio", "telegram", "twilio", "slack", "facebook"]
ANSWERS = ["what_is_stable_disease", "early_stage_can_become_metastatic", "is_mbc_curable",
           "what_makes_mbc_different"]
TAGS = ["content gap", "wrong answer", "distress", "follow up", "good example"]


def review_rows(n: int, days: int = 90, seed: int = 7, start_index: int = 0):
    """(conversation rows, message rows, tag rows) for n generated conversations."""
    rng = random.Random(seed)
    now = dt.datetime.utcnow()
    convs, msgs, tag_rows = [], [], []
    event_id = start_index * 10
    for i in range(start_index, start_index + n):
        sender = f"gen-{i:07d}"
        started = now - dt.timedelta(seconds=rng.randint(0, days * 86400))
        turns = rng.randint(1, 8)
        outcomes = [rng.choices(FLAGGED_OUTCOMES, weights=[70, 8, 10, 6, 1, 3, 2])[0] for _ in range(turns)]
        confidences = [round(rng.random(), 3) for _ in range(turns)]
        texts = [rng.choice(QUESTIONS) for _ in range(turns)]
        negative = rng.random() < 0.05
        conv = {"sender_id": sender, "channel": rng.choice(CHANNELS), "started_at": started,
                "last_at": started + dt.timedelta(minutes=turns), "user_messages": turns,
                "bot_messages": turns * 3, "min_confidence": min(confidences), "preview": texts[0],
                "search_text": " ".join(texts), "last_user_event_id": None,
                "status": "reviewed" if rng.random() < 0.2 else "new", "reviewed_by": None, "reviewed_at": None,
                "note": "", "negative_feedback": negative, "positive_feedback": rng.random() < 0.1,
                "marked_wrong": rng.random() < 0.01}
        conv.update({f"has_{o}": o in outcomes for o in FLAGGED_OUTCOMES})
        convs.append(conv)
        for t in range(turns):
            event_id += 1
            msgs.append({"event_id": event_id, "sender_id": sender, "at": started + dt.timedelta(minutes=t),
                         "text": texts[t], "is_button": False, "intent": "faq", "confidence": confidences[t],
                         "answer_id": rng.choice(ANSWERS) if outcomes[t] == "answered" else None,
                         "outcome": outcomes[t], "feedback": "no" if negative and t == turns - 1 else None})
        if rng.random() < 0.05:
            tag_rows.append({"sender_id": sender, "tag": rng.choice(TAGS)})
    return convs, msgs, tag_rows


def fill_review_tables(engine, n: int, chunk: int = 10000) -> None:
    for start in range(0, n, chunk):
        convs, msgs, tag_rows = review_rows(min(chunk, n - start), start_index=start)
        with engine.begin() as conn:
            conn.execute(conversations.insert(), convs)
            conn.execute(messages.insert(), msgs)
            if tag_rows:
                conn.execute(tags.insert(), tag_rows)


def rasa_events(n: int, seed: int = 7, texts: List[str] = QUESTIONS) -> List[dict]:
    """Events as Rasa's SQL tracker store writes them, for n short conversations whose messages are
    drawn from `texts`."""
    rng = random.Random(seed)
    rows, t = [], dt.datetime.utcnow().timestamp() - 86400
    for i in range(n):
        sender = f"evt-{i:07d}"
        for _ in range(rng.randint(1, 4)):
            t += 1
            text = rng.choice(texts)
            answer = rng.choice(ANSWERS)
            parse = {"intent": {"name": "faq", "confidence": rng.random()}, "response_selector": {"faq": {
                "ranking": [{"intent_response_key": f"faq/{a}", "confidence": rng.random()} for a in ANSWERS]}}}
            rows.append(_event(sender, "user", t, {"event": "user", "text": text, "parse_data": parse,
                                                   "input_channel": rng.choice(CHANNELS)}, intent="faq"))
            rows.append(_event(sender, "action", t, {"event": "action", "name": "action_answer_faq"},
                               action="action_answer_faq"))
            rows.append(_event(sender, "bot", t, {"event": "bot", "text": "An answer.", "data": {}}))
            rows.append(_event(sender, "slot", t, {"event": "slot", "name": "outcome", "value": "answered"}))
            rows.append(_event(sender, "slot", t, {"event": "slot", "name": "last_answer_id", "value": answer}))
    return rows


def _event(sender, type_name, timestamp, data, intent=None, action=None) -> dict:
    return {"sender_id": sender, "type_name": type_name, "timestamp": timestamp, "intent_name": intent,
            "action_name": action, "data": json.dumps(data)}


def fill_events(engine, n: int, texts: List[str] = QUESTIONS) -> int:
    tracker_metadata.create_all(engine)
    rows = rasa_events(n, texts=texts)
    with engine.begin() as conn:
        conn.execute(events.insert(), rows)
    return len(rows)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
