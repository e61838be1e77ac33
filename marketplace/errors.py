from __future__ import annotations

from common.errors import Conflict, Forbidden, NotFound


class NoSuchExpert(NotFound):
    def __init__(self) -> None:
        super().__init__("no such expert")


class NoSuchReview(NotFound):
    def __init__(self) -> None:
        super().__init__("no such review")


class NoSuchVerification(NotFound):
    def __init__(self) -> None:
        super().__init__("no such verification request")


class AlreadyDone(Conflict):
    """Something allowed once (a review, a reply, a decision) was already done."""


class NotReviewable(Forbidden):
    pass


class NotYours(Forbidden):
    pass
