"""Tables: Rasa's tracker-store `events` (read only, except retention) and the review app's own.

SQLAlchemy Core, so the indexer and the list page can work in bulk without loading objects.
The conversation index holds one row per conversation with the columns every filter needs, each
indexed together with `last_at`, so a filtered, sorted page reads an index range, never every row.
"""
import sqlalchemy as sa

# Rasa 3.6's SQLTrackerStore table (rasa/core/tracker_store.py), declared here only to read it.
tracker_metadata = sa.MetaData()
events = sa.Table(
    "events", tracker_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

metadata = sa.MetaData()

# Outcome categories a user message can end in (review/indexer.py maps Rasa's events onto them).
OUTCOMES = ("answered", "did_you_mean", "not_covered", "out_of_scope", "emergency", "advice",
            "fallback", "feedback", "other")
# The ones a conversation can be filtered by: one indexed flag column each.
FLAGGED_OUTCOMES = ("answered", "did_you_mean", "not_covered", "out_of_scope", "emergency", "advice",
                    "fallback")
FLAG_COLUMNS = [f"has_{o}" for o in FLAGGED_OUTCOMES] + ["negative_feedback", "positive_feedback",
                                                         "marked_wrong"]

conversations = sa.Table(
    "review_conversations", metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("channel", sa.String(64), nullable=False, default=""),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("last_at", sa.DateTime, nullable=False),
    sa.Column("user_messages", sa.Integer, nullable=False, default=0),
    sa.Column("bot_messages", sa.Integer, nullable=False, default=0),
    sa.Column("min_confidence", sa.Float),
    sa.Column("preview", sa.Text, nullable=False, default=""),       # first message, redacted
    sa.Column("search_text", sa.Text, nullable=False, default=""),   # all messages, redacted, lower case
    sa.Column("last_user_event_id", sa.Integer),  # later events of a turn attach to this message
    sa.Column("status", sa.String(16), nullable=False, default="new"),  # new | reviewed
    sa.Column("reviewed_by", sa.String(80)),
    sa.Column("reviewed_at", sa.DateTime),
    sa.Column("note", sa.Text, nullable=False, default=""),
    *[sa.Column(name, sa.Boolean, nullable=False, default=False) for name in FLAG_COLUMNS],
    sa.Index("ix_review_conv_last_at", "last_at"),
    sa.Index("ix_review_conv_started_at", "started_at"),
    sa.Index("ix_review_conv_channel", "channel", "last_at"),
    sa.Index("ix_review_conv_status", "status", "last_at"),
    sa.Index("ix_review_conv_min_conf", "min_confidence"),
    *[sa.Index(f"ix_review_conv_{name}", name, "last_at") for name in FLAG_COLUMNS],
)

# One row per user message: what it was, how the assistant decided, what came of it (redacted text).
messages = sa.Table(
    "review_messages", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),  # events.id
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("is_button", sa.Boolean, nullable=False, default=False),
    sa.Column("intent", sa.String(255)),
    sa.Column("confidence", sa.Float),
    sa.Column("answer_id", sa.String(200)),
    sa.Column("outcome", sa.String(32), nullable=False, default="other"),
    sa.Column("feedback", sa.String(8)),
    sa.Index("ix_review_msg_sender", "sender_id", "event_id"),
    # Covering indexes: the dashboard's per-day counts and top answers read only the index.
    sa.Index("ix_review_msg_at", "at", "is_button", "outcome", "feedback"),
    sa.Index("ix_review_msg_outcome", "outcome", "at", "answer_id"),
)

tags = sa.Table(
    "review_tags", metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Index("ix_review_tags_tag", "tag", "sender_id"),
)

corrections = sa.Table(
    "review_corrections", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("served_answer_id", sa.String(200)),
    sa.Column("right_answer_id", sa.String(200), nullable=False),  # or "out_of_scope"
    sa.Column("by", sa.String(80), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
)

examples = sa.Table(
    "review_examples", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.Integer, index=True),  # the message it came from; kept after retention
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("target", sa.String(200), nullable=False),  # an answer id, or "out_of_scope"
    sa.Column("by", sa.String(80), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("text", "target", name="uq_review_examples_text_target"),
)

users = sa.Table(
    "review_users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # reviewer | admin
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

sessions = sa.Table(
    "review_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the cookie: a DB leak isn't a login
    sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
)

audit_log = sa.Table(
    "review_audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Index("ix_review_audit_user_action", "username", "action", "at"),
    sa.Column("sender_id", sa.String(255), index=True),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

sync_state = sa.Table(
    "review_sync_state", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_event_id", sa.Integer, nullable=False),
)

def create_review_schema(engine) -> None:
    metadata.create_all(engine)
