"""The website's follow pages and their API (issue 16): ``/watches``, ``/deadlines`` (Мерзімдер) and
``/deadlines.ics``, ``/xref`` (a CSV of names uploaded), the Atom feeds under ``/feeds/`` and ``/api/watches``,
``/api/deadlines``, ``/api/xref``.  ``follow_routes`` gets the app's own helpers, so these pages share its
archive connections, templates, headers and error handling.  The site is read-only: a watch's new matches
are shown, never marked reported (``kznlp watch report`` does that)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kznlp.errors import InputError
from kznlp.follow import deadlines as dl
from kznlp.follow import feeds, watches, xref
from kznlp.store import queries
from kznlp.store.archive import fts_query, search
from kznlp.store.filters import Filters

ATOM = "application/atom+xml; charset=utf-8"
GROUP_TITLES = {"overdue": "Мерзімі өткен", "week": "7 күн ішінде", "month": "30 күн ішінде", "later": "Кейінірек"}
UPLOAD_LIMIT = xref.MAX_BYTES + 64 * 1024  # the file and the form around it


def follow_routes(db, render, api, filters_from, bad_request, security_headers) -> list[Route]:
    def site(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def feed(request: Request, feed_id: str, title: str, documents: list[dict]) -> Response:
        body = feeds.atom(feed_id=feed_id, title=title, self_url=str(request.url), site_url=site(request),
                          documents=documents)
        return Response(body, media_type=ATOM, headers=security_headers)

    def not_found(request: Request, message: str) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/feeds/"):
            return api({"error": "not found"}, 404)
        return render(request, "error.html", 404, message=message)

    # --- watches ---------------------------------------------------------------------------------------

    def watch_rows() -> list[dict]:
        return [{"watch": w.to_dict(), "description": w.describe(), "new": watches.pending(db(), w)}
                for w in watches.list_watches(db())]

    def watches_page(request: Request) -> Response:
        return render(request, "watches.html", rows=watch_rows())

    def api_watches(request: Request) -> Response:
        return api(watch_rows())

    def watch_feed(request: Request) -> Response:
        watch = watches.get_watch(db(), request.path_params["name"])
        if watch is None:
            return not_found(request, "Бақылау табылмады")
        return feed(request, f"{site(request)}/watches#{watch.name}", f"kznlp: {watch.name} ({watch.describe()})",
                    watches.matches(db(), watch, limit=feeds.FEED_SIZE))

    # --- feeds -----------------------------------------------------------------------------------------

    def _documents_of(hits) -> list[dict]:
        return [{"doc": h.doc_id, "title": h.title, "published": h.published, "source": h.source,
                 "decisions": list(h.decisions)} for h in hits]

    def search_feed(request: Request) -> Response:
        try:
            filters = filters_from(request.query_params)
        except bad_request as error:
            return api({"error": str(error)}, 400)
        query = (request.query_params.get("q") or "")[:10_000]
        if fts_query(query) is None and not filters.active():
            return api({"error": "q or a filter is needed"}, 400)
        # newest first: the filtered listing is by date; a word query's window is newest stored first
        hits = search(db(), query, limit=feeds.FEED_SIZE, filters=filters)
        title = "kznlp: " + (query or urlencode({k: v for k, v in request.query_params.items() if v}))
        return feed(request, str(request.url), title, _documents_of(hits))

    def official_feed(request: Request) -> Response:
        official = queries.get_official(db(), request.path_params["official_id"])
        if official is None:
            return not_found(request, "Лауазым иесі табылмады")
        hits = search(db(), "", limit=feeds.FEED_SIZE, filters=Filters(official_id=official["id"]))
        return feed(request, f"{site(request)}/officials/{official['id']}", f"kznlp: {official['name']}",
                    _documents_of(hits))

    def responsible_feed(request: Request) -> Response:
        body = (request.query_params.get("organisation") or "").strip()
        if not body:
            return api({"error": "organisation is needed"}, 400)
        hits = search(db(), "", limit=feeds.FEED_SIZE, filters=Filters(organisation=body))
        return feed(request, f"{site(request)}/responsible?" + urlencode({"organisation": body}),
                    f"kznlp: {body}", _documents_of(hits))

    # --- deadlines -------------------------------------------------------------------------------------

    def deadline_args(request: Request) -> dict:
        params = request.query_params
        today = params.get("today") or None
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise bad_request("today: күн пішімі ЖЖЖЖ-АА-КК") from None
        within = params.get("within") or None
        if within is not None and not (within.isdigit() and int(within) <= 100_000):
            raise bad_request("within: 0 мен 100000 аралығындағы бүтін сан керек")
        result = dl.deadline_items(db(), today=day, responsible=params.get("responsible") or None,
                                   official=params.get("official") or None)
        return dl.select(result, overdue=params.get("overdue") in ("1", "true", "on"),
                         within=int(within) if within is not None else None)

    def deadlines_page(request: Request) -> Response:
        try:
            result = deadline_args(request)
        except bad_request as error:
            return render(request, "deadlines.html", 400, result=None, message=str(error), titles=GROUP_TITLES)
        ics = "/deadlines.ics" + ("?" + urlencode(dict(request.query_params)) if request.query_params else "")
        return render(request, "deadlines.html", result=result, message=None, titles=GROUP_TITLES, ics_url=ics)

    def api_deadlines(request: Request) -> Response:
        try:
            return api(deadline_args(request))
        except bad_request as error:
            return api({"error": str(error)}, 400)

    def deadlines_ics(request: Request) -> Response:
        try:
            result = deadline_args(request)
        except bad_request as error:
            return api({"error": str(error)}, 400)
        return Response(dl.to_ics(result, site(request)), media_type="text/calendar; charset=utf-8",
                        headers={**security_headers, "Content-Disposition": 'attachment; filename="kznlp-deadlines.ics"'})

    # --- cross-reference -------------------------------------------------------------------------------

    async def uploaded_names(request: Request) -> tuple[list[str], str]:
        """The names of the uploaded CSV (``file``, ``column``); InputError for a bad upload."""
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > UPLOAD_LIMIT:
            raise InputError(f"файл тым үлкен (ең көбі {xref.MAX_BYTES // (1024 * 1024)} МБ)")
        form = await request.form(max_files=1, max_fields=10)
        column = (form.get("column") or "name").strip() or "name"
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("CSV файлын таңдаңыз")
        data = await upload.read(xref.MAX_BYTES + 1)
        return xref.read_names(data, column, source=upload.filename or "файл"), column

    def xref_page(request: Request) -> Response:
        return render(request, "xref.html", results=None, column="name")

    async def xref_upload(request: Request) -> Response:
        try:
            names, column = await uploaded_names(request)
        except InputError as error:
            return render(request, "xref.html", 400, results=None, column="name", message=str(error))
        return render(request, "xref.html", results=xref.cross_reference(db(), names), column=column)

    async def api_xref(request: Request) -> Response:
        if request.method == "GET":
            names = [n for n in request.query_params.getlist("name") if n.strip()][:xref.MAX_NAMES]
            if not names:
                return api({"error": "name is needed"}, 400)
        else:
            try:
                names, _column = await uploaded_names(request)
            except InputError as error:
                return api({"error": str(error)}, 400)
        return api(xref.cross_reference(db(), names))

    return [
        Route("/watches", watches_page), Route("/api/watches", api_watches),
        Route("/feeds/watch/{name}.atom", watch_feed), Route("/feeds/search.atom", search_feed),
        Route("/feeds/official/{official_id:int}.atom", official_feed),
        Route("/feeds/responsible.atom", responsible_feed),
        Route("/deadlines", deadlines_page), Route("/api/deadlines", api_deadlines),
        Route("/deadlines.ics", deadlines_ics),
        Route("/xref", xref_page, methods=["GET"]), Route("/xref", xref_upload, methods=["POST"]),
        Route("/api/xref", api_xref, methods=["GET", "POST"]),
    ]
