"""The domain's vocabularies, each declared once: dossier statuses, submission channels, result
delivery and postal request statuses, with the questions the code asks of them.

Handlers, importers, the HTTP API and the dashboard's SQL all read these; a rule such as "which
statuses end a dossier" lives here and nowhere else. Values are the stored and exchanged ones
(national status codes 1-10, channel codes 1-3, postal status words), so the enums can be
compared with and bound into SQL directly.
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


def member(kind: type[E], value: Any) -> E | None:
    """The member of ``kind`` with this value, None when there is none (Python 3.11's ``in``
    raises on a non-member value instead of answering False)."""
    try:
        return kind(value)
    except ValueError:
        return None


class DossierStatus(IntEnum):
    """Status codes used when syncing with the National Public Service Portal."""

    SUBMITTED = 1  # Mới đăng ký: filed online, not yet received
    RECEIVED = 2  # Được tiếp nhận
    REJECTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ
    PAYMENT_REQUESTED = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    RESULT_READY = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả

    @property
    def has_result(self) -> bool:
        """Processing ended with a result (ready or handed over)."""
        return self in _WITH_RESULT

    @property
    def ended_without_result(self) -> bool:
        """Refused, withdrawn or stopped: no result will come, and lateness does not apply."""
        return self in _WITHOUT_RESULT

    @property
    def is_finished(self) -> bool:
        """Nothing more will happen at the office (with or without a result)."""
        return self.has_result or self.ended_without_result

    @property
    def can_be_late(self) -> bool:
        """The due date means something: every status but refused, withdrawn, stopped."""
        return not self.ended_without_result

    @property
    def waits_on_citizen(self) -> bool:
        """The office waits for the citizen: missing papers, or fees and taxes to pay."""
        return self in (DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.PAYMENT_REQUESTED)

    @property
    def allows_postal(self) -> bool:
        """Delivering the result by post still makes sense."""
        return self.postal_refusal is None

    @property
    def postal_refusal(self) -> str | None:
        """Why postal delivery is refused (a message-key suffix), None when it is allowed."""
        return _POSTAL_REFUSAL.get(self)

    @property
    def key(self) -> str:
        """The locale key of the status's name (``ds-status-N``; hints add ``-hint``)."""
        return f"ds-status-{self.value}"


_WITH_RESULT = frozenset({DossierStatus.RESULT_READY, DossierStatus.RETURNED})
_WITHOUT_RESULT = frozenset(
    {DossierStatus.REJECTED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED}
)
_POSTAL_REFUSAL = {
    DossierStatus.RETURNED: "returned",
    DossierStatus.REJECTED: "rejected",
    DossierStatus.WITHDRAWN: "withdrawn",
    DossierStatus.STOPPED: "stopped",
}

#: Statuses as sets, for SQL ``IN`` clauses; derived from the predicates above.
FINISHED = frozenset(s for s in DossierStatus if s.is_finished)
WITH_RESULT = frozenset(s for s in DossierStatus if s.has_result)


class SubmissionChannel(IntEnum):
    """How the dossier was filed."""

    DIRECT = 1  # trực tiếp, at the one-stop desk
    ONLINE = 2  # trực tuyến
    POSTAL = 3  # dịch vụ bưu chính công ích

    @property
    def method(self) -> str:
        """The catalogue's method channel for this submission (fees and times differ)."""
        return _METHOD[self]

    @property
    def key(self) -> str:
        return f"ds-channel-{self.value}"


_METHOD = {
    SubmissionChannel.DIRECT: "truc_tiep",
    SubmissionChannel.ONLINE: "truc_tuyen",
    SubmissionChannel.POSTAL: "buu_chinh",
}


class ResultDelivery(StrEnum):
    """Where the citizen collects the result."""

    DESK = "desk"
    POSTAL = "postal"


class PostalStatus(StrEnum):
    """A postal delivery request. ``requested`` → (citizen) ``cancelled``, or (post office)
    ``accepted`` → ``in_transit`` → ``delivered`` | ``failed`` → (``in_transit`` again) |
    ``returned``."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"

    @property
    def is_active(self) -> bool:
        """Still under way: a dossier has at most one active request."""
        return self in _POSTAL_ACTIVE

    @property
    def is_cancellable(self) -> bool:
        """The citizen may still cancel (the post office has not taken it)."""
        return self is PostalStatus.REQUESTED

    @property
    def set_by_post_office(self) -> bool:
        """A status the post office reports through the API."""
        return self not in (PostalStatus.REQUESTED, PostalStatus.CANCELLED)

    @property
    def note_shown(self) -> bool:
        """The post office's note is worth showing the citizen (why it failed or came back)."""
        return self in (PostalStatus.FAILED, PostalStatus.RETURNED)

    def reachable_from(self, current: PostalStatus) -> bool:
        """May a request in ``current`` move to this status?"""
        return current in _POSTAL_FROM.get(self, ())

    @property
    def key(self) -> str:
        """Locale key of the status's name (``postal-status-…``)."""
        return f"postal-status-{self.value}"

    @property
    def push_key(self) -> str:
        """Locale key of the push sent when a request reaches this status."""
        return f"postal-push-{self.value.replace('_', '-')}"


_POSTAL_ACTIVE = frozenset(
    {PostalStatus.REQUESTED, PostalStatus.ACCEPTED, PostalStatus.IN_TRANSIT, PostalStatus.FAILED}
)
_ON_THE_WAY = (PostalStatus.ACCEPTED, PostalStatus.IN_TRANSIT, PostalStatus.FAILED)
_POSTAL_FROM: dict[PostalStatus, tuple[PostalStatus, ...]] = {
    PostalStatus.ACCEPTED: (PostalStatus.REQUESTED,),
    PostalStatus.IN_TRANSIT: _ON_THE_WAY,
    PostalStatus.DELIVERED: _ON_THE_WAY,
    PostalStatus.FAILED: _ON_THE_WAY,
    PostalStatus.RETURNED: _ON_THE_WAY,
}

POSTAL_ACTIVE = _POSTAL_ACTIVE
POSTAL_SET_BY_POST_OFFICE = tuple(s for s in PostalStatus if s.set_by_post_office)
