"""Domain errors as HTTP answers that tell the user what to do."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from caredesk.access import ForbiddenError, NotFoundError
from caredesk.actions.errors import ConflictError
from caredesk.web.deps import LoginRequiredError


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    def answer(status: int, detail: str) -> Response:
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, _error: LoginRequiredError) -> Response:
        if wants_html(request):
            return RedirectResponse("/login", status_code=303)
        return answer(401, "sign in first")

    @app.exception_handler(NotFoundError)
    async def not_found(_request: Request, error: NotFoundError) -> Response:
        return answer(404, str(error))

    @app.exception_handler(ForbiddenError)
    async def forbidden(_request: Request, error: ForbiddenError) -> Response:
        return answer(403, str(error))

    @app.exception_handler(ConflictError)
    async def conflict(_request: Request, error: ConflictError) -> Response:
        return answer(409, str(error))

    @app.exception_handler(ValueError)
    async def invalid(_request: Request, error: ValueError) -> Response:
        return answer(400, str(error))
