"""Downloads: the filtered conversations as CSV or JSON (redacted, each exported conversation audited,
cells safe to open in a spreadsheet) and the accepted training examples as Rasa NLU YAML. Each file is
built off the event loop: a large export does not hold up anyone's page."""
import csv
import io
import json

from sanic import Blueprint, response

from review import audit, auth, indexer, queries, training
from review.blocking import off_loop
from review.routes.common import Deps


def blueprint(deps: Deps) -> Blueprint:
    bp = Blueprint("exports")

    @bp.get("/conversations/export.csv")
    async def export_csv(request):
        return await export(request, "csv")

    @bp.get("/conversations/export.json")
    async def export_json(request):
        return await export(request, "json")

    async def export(request, fmt: str):
        filters = queries.Filters.from_args(request.args)
        body = await off_loop(conversations_file, deps, filters, fmt, request.ctx.staff.username)
        name = f"conversations-{auth.now():%Y%m%d-%H%M%S}.{fmt}"
        content_type = "application/json; charset=utf-8" if fmt == "json" else "text/csv; charset=utf-8"
        return response.text(body, content_type=content_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @bp.get("/examples.yml")
    async def export_examples(request):
        body = await off_loop(examples_file, deps, request.ctx.staff.username)
        return response.text(body, content_type="application/x-yaml; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="review_examples.yml"'})

    return bp


def conversations_file(deps: Deps, filters: queries.Filters, fmt: str, staff: str) -> str:
    """The CSV or JSON text of every conversation matching the filters, the export audited."""
    indexer.sync(deps.tracker, deps.review)
    with deps.review.begin() as conn:
        rows = queries.export_rows(conn, filters)
        ids = [r["sender_id"] for r in rows]
        by_sender = queries.message_rows(conn, ids)
        tag_map = queries.tags_of(conn, ids)
        audit.record_export(conn, staff, f"export_{fmt}", ids, filters.query_args(page=1))
    if fmt == "json":
        body = [_conversation_json(r, by_sender.get(r["sender_id"], []), tag_map.get(r["sender_id"], []))
                for r in rows]
        return json.dumps(body, ensure_ascii=False, indent=1)
    return _csv(rows, by_sender, tag_map)


def examples_file(deps: Deps, staff: str) -> str:
    with deps.review.begin() as conn:
        body = training.nlu_yaml(conn)
        audit.record(conn, staff, "export_examples")
    return body


def _conversation_json(conv: dict, msgs: list, tag_list: list) -> dict:
    return {"conversation": conv["sender_id"], "channel": conv["channel"],
            "started_at": conv["started_at"].isoformat(), "last_at": conv["last_at"].isoformat(),
            "status": conv["status"], "tags": tag_list, "note": conv["note"],
            "min_confidence": conv["min_confidence"],
            "outcomes": [name[4:] for name in conv if name.startswith("has_") and conv[name]],
            "negative_feedback": conv["negative_feedback"], "marked_wrong": conv["marked_wrong"],
            "messages": [{"at": m["at"].isoformat(), "text": m["text"], "button": m["is_button"],
                          "intent": m["intent"], "confidence": m["confidence"], "answer": m["answer_id"],
                          "outcome": m["outcome"], "feedback": m["feedback"]} for m in msgs]}


def _cell(value) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ would run as a formula when opened.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows, by_sender, tag_map) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["conversation", "channel", "status", "tags", "time", "message", "outcome", "answer",
                     "confidence", "feedback"])
    for conv in rows:
        for m in by_sender.get(conv["sender_id"], []):
            writer.writerow([_cell(v) for v in (conv["sender_id"], conv["channel"], conv["status"],
                                                " ".join(tag_map.get(conv["sender_id"], [])), m["at"].isoformat(),
                                                m["text"], m["outcome"], m["answer_id"],
                                                "" if m["confidence"] is None else f"{m['confidence']:.3f}",
                                                m["feedback"])])
    return out.getvalue()
