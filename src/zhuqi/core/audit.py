from zhuqi.core import audit_chain
from zhuqi.core.models import AuditEvent


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _actor_name(actor) -> str:
    return actor.get_username() if _actor(actor) is not None else ""


def _via_token(actor) -> str:
    # accounts.auth puts the token on the user it authenticates: the trail names the token used.
    token = getattr(actor, "api_token", None)
    return token.prefix if token is not None else ""


def _create(**fields) -> AuditEvent:
    # Chained to the event before it when the transaction commits (core/audit_chain.py).
    event = AuditEvent.objects.create(**fields)
    audit_chain.seal_on_commit()
    return event


def record(*, actor, verb: str, obj, data: dict | None = None) -> AuditEvent:
    """Write the audit row for a change; call it inside the service function's transaction."""
    return _create(
        actor=_actor(actor),
        actor_name=_actor_name(actor),
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
        via_token=_via_token(actor),
    )


def record_batch(*, actor, verb: str, model, batch_id: str, data: dict) -> AuditEvent:
    """One audit row for a bulk change of many rows of `model` (an import, a data feed)."""
    return _create(
        actor=_actor(actor),
        actor_name=_actor_name(actor),
        verb=verb,
        object_type=model._meta.label_lower,
        object_id=batch_id,
        data=data,
        via_token=_via_token(actor),
    )


def trail(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "actor"
    )
