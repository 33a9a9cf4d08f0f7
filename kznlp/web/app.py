"""Starlette app: handlers read the request, call one ``kznlp.store`` function and render.

Pages (Kazakh interface, no JavaScript needed): ``/`` search with facets, ``/decisions``,
``/responsible`` (who must do what), ``/officials``, ``/officials/{id}``, ``/documents/{id}``.  Pages run no
scripts (``script-src`` is not in their policy) but for ``PAGE_SCRIPTS``: one inline script a page, allowed
by its hash alone (``/xref`` shows the chosen file's name with it; the form works without it).
The same data as JSON under ``/api/``.  The archive is opened read-only, one connection per thread;
Jinja2 autoescaping keeps scraped text as text.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from kznlp.store import queries
from kznlp.store.archive import fts_query, open_archive
from kznlp.store.filters import FREQUENCIES, Filters, check_date
from kznlp.web.format import entity_names, figure_text

TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 20
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self';"
                               " frame-ancestors 'none'",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _inline_script(name: str) -> tuple[Markup, dict[str, str]]:
    """A script from ``templates/`` to inline in a page, and that page's headers: the policy allows this
    script (by its SHA-256) and no other."""
    source = (TEMPLATES / name).read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    policy = SECURITY_HEADERS["Content-Security-Policy"] + f"; script-src 'sha256-{digest}'"
    return Markup(source), {**SECURITY_HEADERS, "Content-Security-Policy": policy}


FILE_INPUT_SCRIPT, FILE_INPUT_HEADERS = _inline_script("file_input.js")  # the chosen file's name, in Kazakh
PAGE_SCRIPTS = {"xref.html": FILE_INPUT_HEADERS}  # template -> its headers
INT_MAX = 2 ** 63 - 1  # SQLite's largest integer: a bigger one is an OverflowError, not a query
FREQUENCY_KK = {"daily": "күн сайын", "weekly": "апта сайын", "monthly": "ай сайын", "quarterly": "тоқсан сайын",
                "annually": "жыл сайын"}
FACET_TITLES = {"source": "Дереккөз", "year": "Жылы", "official": "Лауазым иелері", "position": "Лауазым",
                "organisation": "Ұйым", "has_decisions": "Шешімдер", "frequency": "Тапсырма жиілігі",
                "deadline": "Орындау мерзімі"}
FACET_PARAMS = {"source": "source", "year": "year", "official": "official_id", "position": "position",
                "organisation": "organisation", "has_decisions": "has_decisions", "frequency": "frequency",
                "deadline": "deadline"}


class BadRequest(ValueError):
    pass


def _server_error(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "internal server error"}, 500, headers=SECURITY_HEADERS)
    return HTMLResponse("<!doctype html><title>500</title><p>Ішкі қате</p>", 500, headers=SECURITY_HEADERS)


class ServerErrors:
    """A failing handler answers 500 with the site's headers (JSON under /api/) and the connection stays
    open: Starlette's own last-resort handler answers and then re-raises, and uvicorn resets the
    keep-alive connection.  The traceback goes to the log."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if started:  # too late for another answer
                raise
            logging.getLogger("kznlp.web").exception("%s %s failed", scope.get("method"), scope.get("path"))
            await _server_error(Request(scope))(scope, receive, send)


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the site (a scraped ``javascript:`` URL stays text)."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _int(value: str | None, name: str, default: int | None = None, high: int = INT_MAX) -> int | None:
    """A whole number from 0 to ``high`` (BadRequest otherwise)."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name}: бүтін сан керек") from None
    if not 0 <= number <= high:
        raise BadRequest(f"{name}: 0 мен {high} аралығындағы бүтін сан керек")
    return number


def _frequency(params) -> str | None:
    frequency = params.get("frequency") or None
    if frequency and frequency not in FREQUENCIES:
        raise BadRequest(f"frequency: {', '.join(FREQUENCIES)} болуы керек")
    return frequency


def filters_from(params) -> Filters:
    """Filters from a query string; bad values raise BadRequest with a message for the page."""
    year = params.get("year") or None
    try:
        since = check_date(params.get("since") or year, "since")
        until = check_date(params.get("until") or year, "until")
        deadline = params.get("deadline") or None
        if deadline and deadline != "any":
            check_date(deadline, "deadline")
    except ValueError as error:
        raise BadRequest(f"{error} (күн пішімі: ЖЖЖЖ-АА-КК)") from None
    frequency = _frequency(params)
    return Filters(official=params.get("official") or None, official_id=_int(params.get("official_id"), "official_id"),
                   position=params.get("position") or None, organisation=params.get("organisation") or None,
                   source=params.get("source") or None, since=since, until=until,
                   has_decisions=True if params.get("has_decisions") in ("1", "true", "on") else None,
                   frequency=frequency, deadline=deadline)


def public_addresses(url: str | None, origins: list[str]) -> list[str]:
    """The web addresses a document page shows: public http(s) ones first, a loopback one (the demo's
    local server) only when there is no other; never a file path of the machine that built the archive."""
    web = [u for u in dict.fromkeys([url or "", *origins]) if u.startswith(("http://", "https://"))]
    local = [u for u in web if urlsplit(u).hostname in ("127.0.0.1", "localhost", "::1")]
    return [u for u in web if u not in local] or local[:1]


def create_app(db_path: str | Path) -> Starlette:
    """The website and API over the archive at ``db_path`` (read-only; ArchiveError if it is not one)."""
    db_path = Path(db_path)
    open_archive(db_path, readonly=True).conn.close()  # fail now, not on the first request
    local = threading.local()

    def db():
        if getattr(local, "db", None) is None:
            local.db = open_archive(db_path, readonly=True)
        return local.db

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.ChainableUndefined)
    env.globals.update(frequency_kk=FREQUENCY_KK, facet_titles=FACET_TITLES, FACET_PARAM=FACET_PARAMS,
                       safe_url=_safe_url, entity_names=entity_names(), file_input_script=FILE_INPUT_SCRIPT)
    env.filters["figure"] = figure_text

    def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        params = dict(request.query_params)

        def url_with(**changes) -> str:
            merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
            merged.pop("page", None) if "page" not in changes else None
            return "?" + urlencode(merged)

        html = env.get_template(name).render(request=request, params=params, url_with=url_with, **context)
        return HTMLResponse(html, status_code=status, headers=PAGE_SCRIPTS.get(name, SECURITY_HEADERS))

    def api(data, status: int = 200) -> JSONResponse:
        return JSONResponse(data, status_code=status, headers=SECURITY_HEADERS)

    def run_search(request: Request) -> dict:
        params = request.query_params
        query = (params.get("q") or "")[:10_000]
        filters = filters_from(params)
        page = max(1, _int(params.get("page"), "page", 1, high=INT_MAX // PAGE_SIZE) or 1)
        if fts_query(query) is None and not filters.active():
            message = "Іздеу үшін сөз жазыңыз" if query.strip() else None
            return {"query": query, "total": 0, "total_exact": True, "page": 1, "hits": [], "message": message,
                    "facets": queries.facets(db(), "", Filters())}
        result = queries.search_page(db(), query, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return {"query": query, "page": page, "message": None, **result}

    def search_page(request: Request) -> Response:
        try:
            result = run_search(request)
        except BadRequest as error:
            return render(request, "search.html", 400, query=request.query_params.get("q", ""), hits=[], total=0,
                          total_exact=True, page=1, facets={}, message=str(error), page_size=PAGE_SIZE)
        return render(request, "search.html", page_size=PAGE_SIZE, **result)

    def api_search(request: Request) -> Response:
        try:
            result = run_search(request)
        except BadRequest as error:
            return api({"error": str(error)}, 400)
        result["hits"] = [{"doc": h.doc_id, "title": h.title, "published": h.published, "source": h.source,
                           "url": h.url, "snippet": h.snippet, "score": h.score, "decisions": list(h.decisions)}
                          for h in result["hits"]]
        return api(result)

    def decisions_args(request: Request) -> dict:
        params = request.query_params
        return {"official": params.get("official") or None, "frequency": _frequency(params),
                "has_deadline": params.get("has_deadline") in ("1", "true", "on"),
                "offset": max(0, _int(params.get("offset"), "offset", 0))}

    def decisions_page(request: Request) -> Response:
        try:
            rows = queries.list_decisions(db(), **decisions_args(request))
        except BadRequest as error:
            return render(request, "decisions.html", 400, decisions=[], message=str(error))
        return render(request, "decisions.html", decisions=rows, message=None)

    def api_decisions(request: Request) -> Response:
        try:
            return api(queries.list_decisions(db(), **decisions_args(request)))
        except BadRequest as error:
            return api({"error": str(error)}, 400)

    def responsible_page(request: Request) -> Response:
        groups = queries.responsibilities(db(), organisation=request.query_params.get("organisation") or None)
        return render(request, "responsible.html", groups=groups)

    def api_responsible(request: Request) -> Response:
        return api(queries.responsibilities(db(), organisation=request.query_params.get("organisation") or None))

    def officials_page(request: Request) -> Response:
        rows = queries.list_officials(db(), name=request.query_params.get("name") or None, limit=500)
        return render(request, "officials.html", officials=rows)

    def api_officials(request: Request) -> Response:
        return api(queries.list_officials(db(), name=request.query_params.get("name") or None, limit=500))

    def official_page(request: Request) -> Response:
        try:
            official = queries.get_official(db(), _int(request.path_params["official_id"], "official_id"))
        except BadRequest as error:
            return render(request, "error.html", 400, message=str(error))
        if official is None:
            return render(request, "error.html", 404, message="Лауазым иесі табылмады")
        return render(request, "official.html", official=official)

    def api_official(request: Request) -> Response:
        try:
            official = queries.get_official(db(), _int(request.path_params["official_id"], "official_id"))
        except BadRequest as error:
            return api({"error": str(error)}, 400)
        return api(official) if official else api({"error": "not found"}, 404)

    def document_page(request: Request) -> Response:
        doc = queries.get_document(db(), request.path_params["doc_id"])
        if doc is None:
            return render(request, "error.html", 404, message="Құжат табылмады")
        addresses = public_addresses(doc.get("url"), doc.get("origins", []))
        return render(request, "document.html", doc=doc, segments=queries.segments(doc),
                      source_url=addresses[0] if addresses else None, other_urls=addresses[1:])

    def api_document(request: Request) -> Response:
        doc = queries.get_document(db(), request.path_params["doc_id"])
        return api(doc) if doc else api({"error": "not found"}, 404)

    def document_by_url(request: Request) -> Response:
        """``/documents?url=…``: the document known by that address (or file path), at its own page."""
        url = request.query_params.get("url") or ""
        if not url.strip():
            return render(request, "error.html", 400, message="Құжаттың сілтемесін жазыңыз: /documents?url=…")
        doc_id = queries.find_document(db(), url)
        if doc_id is None:
            return render(request, "error.html", 404, message="Бұл сілтемемен құжат табылмады")
        return RedirectResponse("/documents/" + quote(doc_id, safe="/"), 303, headers=SECURITY_HEADERS)

    def api_document_by_url(request: Request) -> Response:
        url = request.query_params.get("url") or ""
        if not url.strip():
            return api({"error": "url is required: /api/documents?url=…"}, 400)
        doc_id = queries.find_document(db(), url)
        return api(queries.get_document(db(), doc_id)) if doc_id else api({"error": "not found"}, 404)

    def api_index(request: Request) -> Response:
        return api({"endpoints": ["/api/search?q=", "/api/decisions", "/api/responsible", "/api/officials",
                                  "/api/officials/{id}", "/api/documents/{id}", "/api/documents?url=",
                                  "/api/watches", "/api/deadlines", "/api/xref"]})

    messages = {404: "Бет табылмады", 405: "Бұл әдіс қолданылмайды"}

    async def http_error(request: Request, exc: HTTPException) -> Response:
        """404, 405 and the like: the same headers as every page, JSON under /api/."""
        if request.url.path.startswith("/api/"):
            response = api({"error": exc.detail.lower()}, exc.status_code)
        else:
            response = render(request, "error.html", exc.status_code, message=messages.get(exc.status_code, exc.detail))
        response.headers.update(exc.headers or {})  # 405's Allow
        return response

    async def server_error(request: Request, exc: Exception) -> Response:  # what ServerErrors let through
        return _server_error(request)

    routes = [
        Route("/", search_page), Route("/decisions", decisions_page), Route("/responsible", responsible_page),
        Route("/officials", officials_page), Route("/officials/{official_id:int}", official_page),
        Route("/documents", document_by_url), Route("/documents/{doc_id:path}", document_page),
        Route("/api/", api_index), Route("/api/search", api_search), Route("/api/decisions", api_decisions),
        Route("/api/responsible", api_responsible), Route("/api/officials", api_officials),
        Route("/api/officials/{official_id:int}", api_official), Route("/api/documents", api_document_by_url),
        Route("/api/documents/{doc_id:path}", api_document),
    ]
    # watchlists, feeds, deadlines, cross-reference (issue 16)
    from kznlp.follow.web import follow_routes

    routes += follow_routes(db, render, api, filters_from, BadRequest, SECURITY_HEADERS)
    app = Starlette(routes=routes, middleware=[Middleware(ServerErrors)],
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.db_path = db_path
    return app
