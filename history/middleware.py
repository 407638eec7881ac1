import pghistory.middleware


class HistoryContextMiddleware(pghistory.middleware.HistoryMiddleware):
    """Every history entry written during a request names the user and the URL."""
