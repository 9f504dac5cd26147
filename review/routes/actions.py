"""The forms staff post: review status, tags, notes, "this reply was wrong", training examples (add,
delete). Each runs off the event loop, one at a time, in one transaction with its audit record."""
import sqlalchemy as sa
from sanic import Blueprint, response

from privacy.redact import redact
from review import audit, auth, queries, training
from review.blocking import off_loop
from review.routes.common import Deps, back_to, titles
from review.schema import conversations, corrections, examples, messages, tags

TAG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_ ")


def _no_conversation():
    return response.text("No such conversation.", status=404)


def blueprint(deps: Deps) -> Blueprint:
    bp = Blueprint("actions")

    # Each handler checks what needs no database, then hands the rest to a function below; exclusive,
    # so a double-clicked form's check-then-write never races its twin.
    @bp.post("/conversation/status")
    async def set_status(request):
        sender_id, status = request.form.get("id") or "", request.form.get("status")
        if status not in queries.STATUSES:
            return response.text("Unknown status.", status=400)
        return await off_loop(mark_status, deps, sender_id, status, request.ctx.staff.username, exclusive=True)

    @bp.post("/conversation/tag")
    async def tag(request):
        name = " ".join((request.form.get("tag") or "").lower().split())[:40]
        if not name or not set(name) <= TAG_CHARS:
            return response.text("A tag is up to 40 letters, digits, spaces, - or _.", status=400)
        return await off_loop(set_tag, deps, request.form.get("id") or "", name, request.form.get("remove") == "1",
                              request.ctx.staff.username, exclusive=True)

    @bp.post("/conversation/note")
    async def note(request):
        return await off_loop(set_note, deps, request.form.get("id") or "", (request.form.get("note") or "")[:5000],
                              request.ctx.staff.username, exclusive=True)

    @bp.post("/message/wrong")
    async def mark_wrong(request):
        return await off_loop(mark_reply_wrong, deps, request.form, request.ctx.staff.username, exclusive=True)

    @bp.post("/message/example")
    async def add_example(request):
        return await off_loop(add_training_example, deps, request.form, request.ctx.staff.username, exclusive=True)

    @bp.post("/examples/delete")
    async def delete_example(request):
        try:
            example_id = int(request.form.get("example_id") or "")
        except ValueError:
            return response.text("No such example.", status=404)
        await off_loop(delete_training_example, deps, example_id, request.ctx.staff.username, exclusive=True)
        return response.redirect("/examples", status=303)

    return bp


# The blocking part of each form (run through off_loop): its response.

def _known(conn, sender_id: str) -> bool:
    return conn.execute(sa.select(conversations.c.sender_id)
                        .where(conversations.c.sender_id == sender_id)).first() is not None


def mark_status(deps: Deps, sender_id: str, status: str, staff: str):
    with deps.review.begin() as conn:
        if not _known(conn, sender_id):
            return _no_conversation()
        conn.execute(conversations.update().where(conversations.c.sender_id == sender_id).values(
            status=status, reviewed_by=staff if status == "reviewed" else None,
            reviewed_at=auth.now() if status == "reviewed" else None))
        audit.record(conn, staff, f"mark_{status}", sender_id)
    return back_to(sender_id)


def set_tag(deps: Deps, sender_id: str, name: str, remove: bool, staff: str):
    with deps.review.begin() as conn:
        if not _known(conn, sender_id):
            return _no_conversation()
        conn.execute(tags.delete().where(tags.c.sender_id == sender_id, tags.c.tag == name))
        if not remove:
            conn.execute(tags.insert().values(sender_id=sender_id, tag=name))
        audit.record(conn, staff, "untag" if remove else "tag", sender_id, name)
    return back_to(sender_id)


def set_note(deps: Deps, sender_id: str, text: str, staff: str):
    with deps.review.begin() as conn:
        if not _known(conn, sender_id):
            return _no_conversation()
        conn.execute(conversations.update().where(conversations.c.sender_id == sender_id).values(note=text))
        audit.record(conn, staff, "note", sender_id)
    return back_to(sender_id)


def _message_and_target(conn, form, field: str):
    """(message row, chosen answer id or "out_of_scope", None), or (None, None, error response)."""
    target = form.get(field) or ""
    if target != training.OUT_OF_SCOPE and target not in titles():
        return None, None, response.text("Choose one of the listed answers, or out of scope.", status=400)
    try:
        event_id = int(form.get("event_id") or "")
    except ValueError:
        event_id = None
    message = None if event_id is None else conn.execute(sa.select(messages).where(
        messages.c.event_id == event_id, messages.c.sender_id == (form.get("id") or ""))).first()
    if message is None:
        return None, None, response.text("No such message.", status=404)
    return message, target, None


def mark_reply_wrong(deps: Deps, form, staff: str):
    with deps.review.begin() as conn:
        message, target, error = _message_and_target(conn, form, "right_answer")
        if error:
            return error
        conn.execute(corrections.delete().where(corrections.c.event_id == message.event_id))
        conn.execute(corrections.insert().values(event_id=message.event_id, sender_id=message.sender_id,
                                                 served_answer_id=message.answer_id, right_answer_id=target,
                                                 by=staff, at=auth.now()))
        conn.execute(conversations.update().where(conversations.c.sender_id == message.sender_id)
                     .values(marked_wrong=True))
        if not message.is_button:
            training.add_example(conn, message.text, target, staff, message.event_id)
        audit.record(conn, staff, "mark_wrong", message.sender_id, f"{message.event_id} -> {target}")
    return back_to(message.sender_id, f"#m{message.event_id}")


def add_training_example(deps: Deps, form, staff: str):
    with deps.review.begin() as conn:
        message, target, error = _message_and_target(conn, form, "target")
        if error:
            return error
        # Staff may rewrite the (already redacted) message; what they type is redacted the same way.
        text = training.clean_example(redact(form.get("text")) if form.get("text") else message.text)
        if not text:
            return response.text("An example needs some text.", status=400)
        training.add_example(conn, text, target, staff, message.event_id)
        audit.record(conn, staff, "add_example", message.sender_id, f"{message.event_id} -> {target}")
    return back_to(message.sender_id, f"#m{message.event_id}")


def delete_training_example(deps: Deps, example_id: int, staff: str) -> None:
    with deps.review.begin() as conn:
        conn.execute(examples.delete().where(examples.c.id == example_id))
        audit.record(conn, staff, "delete_example", None, str(example_id))
