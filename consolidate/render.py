"""Turns results into what a person reads, or into one JSON document.

Light on purpose (the standard library only): every command that prints JSON loads it, and
`status` must not pay for the steps, the playbook's models and GitPython."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from consolidate.report import jsontext

if TYPE_CHECKING:
    from consolidate.steps.base import StepPlan


def plan_doc(result: dict[str, Any]) -> dict[str, Any]:
    plans: list[StepPlan] = result["plans"]
    return {
        "dry_run": True,
        "component": result["component"],
        "steps": [
            {
                "name": p.name,
                "actions": [
                    {
                        "kind": a.kind,
                        "description": a.describe(),
                        "paths": list(a.paths()),
                        "diff": a.diff(),
                    }
                    for a in p.actions
                ],
                "notes": p.notes,
            }
            for p in plans
        ],
    }


def plan_text(result: dict[str, Any]) -> str:
    doc = plan_doc(result)
    out = [f"Dry run: removal of {doc['component']} (nothing was changed)\n"]
    for number, step in enumerate(doc["steps"], 1):
        out.append(f"{number}. {step['name']}")
        if not step["actions"] and not step["notes"]:
            out.append("   nothing to do")
        for action in step["actions"]:
            out.append(f"   - {action['description']}")
        for note in step["notes"]:
            out.append(f"   ! {note}")
        out.append("")
    diffs = [
        a["diff"]
        for s in doc["steps"]
        for a in s["actions"]
        if a["diff"] and s["name"] not in ("validate", "commit")
    ]
    if diffs:
        out.append("Changes:\n")
        out += [d.rstrip("\n") + "\n" for d in diffs]
    commit = [a for s in doc["steps"] if s["name"] == "commit" for a in s["actions"]]
    if commit:
        out.append("Commit message (validation results are added when they exist):\n")
        out.append("    " + commit[0]["diff"].rstrip().replace("\n", "\n    ") + "\n")
    return "\n".join(out)


def run_doc(result: dict[str, Any]) -> dict[str, Any]:
    journal = result.get("journal") or {}
    doc: dict[str, Any] = {
        "status": result["status"],
        "component": journal.get("component"),
        "run_id": journal.get("run_id"),
        "steps": [
            {
                "name": s["name"],
                "status": s["status"],
                "actions": [
                    {"description": r["text"], "state": r["state"], **_receipt_view(r)}
                    for r in s["actions"]
                ],
                "notes": s.get("notes", []),
            }
            for s in journal.get("steps", [])
        ],
    }
    doc.update(_facts(journal))
    keys = ("error", "undone", "archived", "message", "rolled_back_after_failure", "not_restored")
    for key in keys:
        if key in result:
            doc[key] = result[key]
    if result["status"] in ("complete", "failed", "running"):
        doc["rollback_command"] = "consolidate rollback --yes"
    return doc


def _receipt_view(record: dict[str, Any]) -> dict[str, Any]:
    receipt = record.get("receipt") or {}
    view = {k: receipt[k] for k in ("commit", "summary") if k in receipt}
    if "results" in receipt:
        view["results"] = [
            {k: r.get(k) for k in ("name", "status", "exit", "seconds")} for r in receipt["results"]
        ]
    return view


def _facts(journal: dict[str, Any]) -> dict[str, Any]:
    steps = {s["name"]: s for s in journal.get("steps", [])}
    facts: dict[str, Any] = {}
    backup = steps.get("backup", {}).get("facts", {})
    facts["backup_branch"] = backup.get("branch")
    facts["backup_tags"] = backup.get("tags", [])
    docs = steps.get("docs", {}).get("facts", {})
    facts["warnings"] = [*backup.get("warnings", []), *docs.get("warnings", [])]
    facts["report"] = steps.get("docs", {}).get("facts", {}).get("report")
    removed = [r["text"] for r in steps.get("remove", {}).get("actions", [])]
    facts["removed_files"] = len(removed)
    facts["removed_services"] = steps.get("compose", {}).get("facts", {}).get("services", [])
    commit = [r.get("receipt") or {} for r in steps.get("commit", {}).get("actions", [])]
    facts["commit"] = next((c["commit"] for c in commit if "commit" in c), None)
    return facts


def run_text(result: dict[str, Any]) -> str:
    doc = run_doc(result)
    if doc["status"] == "rolled-back":
        lines = [
            f"Rolled back the removal of {doc['component']}: {doc.get('undone', 0)} actions undone."
        ]
        if doc.get("error"):
            lines.insert(0, f"The run failed ({doc['error']}), so it was rolled back.")
        lines.append(
            "The repository is as it was before the run; the backup branch and tags are gone."
        )
        if doc.get("not_restored"):
            lines[-1] = "The backup branch and tags are gone; tracked files are as before the run."
            lines += [f"  not restored:      {line}" for line in doc["not_restored"]]
        return "\n".join(lines) + "\n"
    lines = [f"Removed {doc['component']} ({doc['status']}):"]
    lines.append(f"  files removed:     {doc['removed_files']}")
    services = ", ".join(f"{s} ({f})" for f, s in doc["removed_services"]) or "none"
    lines.append(f"  compose services:  {services}")
    if doc.get("report"):
        lines.append(f"  report:            {doc['report']}")
    for step in doc["steps"]:
        for action in step["actions"]:
            for r in action.get("results", []):
                lines.append(f"  validate:          {r['name']}: {r['status']} ({r['seconds']}s)")
    for warning in doc.get("warnings", []):
        lines.append(f"  warning:           {warning}")
    lines.append(f"  commit:            {doc['commit'] or '-'}")
    lines.append(f"  backup branch:     {doc['backup_branch'] or '-'}")
    for tag in doc["backup_tags"]:
        lines.append(f"  backup image tag:  {tag}")
    lines.append("To undo all of it, branch and tags included: consolidate rollback --yes")
    return "\n".join(lines) + "\n"


def status_doc(result: dict[str, Any]) -> dict[str, Any]:
    if "journal" not in result:
        return {"status": result["status"], "message": result.get("message")}
    doc = run_doc(result)
    journal = result["journal"]
    doc["started_from"] = journal.get("head")
    doc["playbook"] = journal.get("playbook", {}).get("path")
    if journal.get("error"):
        doc["error"] = journal["error"]
    doc["interrupted"] = bool(result.get("interrupted"))
    doc["lock_holder"] = result.get("lock_holder")
    doc["resume_command"] = _resume_command(doc)
    if doc["status"] == "rolling-back" and doc["interrupted"]:
        doc["rollback_command"] = "consolidate rollback --yes"
    return doc


def _resume_command(doc: dict[str, Any]) -> str | None:
    """How to carry on: a run that failed or was killed resumes with `run`; a killed rollback
    finishes with `rollback`. None while a live process holds the lock, or when nothing is due."""
    if doc["lock_holder"] is not None:
        return None
    if doc["status"] in ("running", "failed"):
        return f"consolidate run {doc['playbook']} --yes"
    if doc["status"] == "rolling-back":
        return "consolidate rollback --yes"
    return None


def _status_word(doc: dict[str, Any]) -> str:
    if doc["interrupted"]:
        was = "" if doc["status"] == "running" else f" while {doc['status']}"
        return f"interrupted{was} (no process holds the lock)"
    if doc["lock_holder"] is not None and doc["status"] in ("running", "rolling-back"):
        return f"{doc['status']} (pid {doc['lock_holder']} holds the lock)"
    return str(doc["status"])


def status_text(result: dict[str, Any]) -> str:
    doc = status_doc(result)
    if "steps" not in doc:
        return f"{doc['message']}\n"
    lines = [f"Run {doc['run_id']} of {doc['component']}: {_status_word(doc)}"]
    for step in doc["steps"]:
        done = sum(a["state"] == "done" for a in step["actions"])
        lines.append(
            f"  {step['name']:<12} {step['status']:<8} {done}/{len(step['actions'])} actions"
        )
    if doc.get("error"):
        lines.append(f"Error: {doc['error']}")
    if doc["status"] == "rolling-back":
        if doc["resume_command"]:
            lines.append(f"Finish the rollback: {doc['resume_command']}")
    elif doc["resume_command"]:
        lines.append(f"Resume: {doc['resume_command']}")
        lines.append("Undo:   consolidate rollback --yes")
    elif doc["status"] == "complete":
        lines.append("Undo: consolidate rollback --yes")
    elif doc["lock_holder"] is not None:
        lines.append("Wait for it to finish, then `consolidate status` again")
    return "\n".join(lines) + "\n"


def write_json(doc: dict[str, Any], stream: TextIO) -> None:
    """The document as `json.dumps(doc, indent=2, default=str)` and a newline
    (`report.jsontext`: the same bytes, faster)."""
    jsontext.write(doc, stream)
