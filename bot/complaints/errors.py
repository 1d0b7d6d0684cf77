"""What goes wrong with a ticket request, in words for people."""

from __future__ import annotations

STORE_DOWN = "系统暂时无法保存，请稍后再发一次；急事请拨打12333人社服务热线。"  # the store failed (SQLAlchemyError)


class TicketError(ValueError):
    """A request the queue cannot carry out; the message is Chinese, for people. `retryable`: the
    same request may succeed later (the store was busy), so the user should be asked again."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable
