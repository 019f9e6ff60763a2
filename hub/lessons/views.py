"""Public lesson pages: the filtered list, one lesson with the pilots that used it, and reuse."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.filters import InvalidFilter
from hub.i18n import gettext as _
from hub.lessons import services
from hub.lessons.models import LessonKind
from hub.library import services as library
from hub.programmes.services import programme_choices
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import check_page, db, found, invalid_value, language, render


def lesson_list(request: Request) -> Response:
    with db(request) as session:
        try:
            filters = services.parse_filters(session, request.query_params)
        except InvalidFilter as error:
            raise invalid_value(error.field, error.value) from None
        page = services.list_lessons(session, filters=filters, language=language(request))
        check_page(filters.page, page.pages)
        return render(
            request,
            "lessons/list.html",
            page=page,
            filters=filters,
            programmes=programme_choices(session),
            product_groups=taxonomy.product_groups(session),
            kinds=list(LessonKind),
            phases=list(Phase),
        )


def lesson_detail(request: Request) -> Response:
    lesson_id = request.path_params["lesson_id"]
    with db(request) as session:
        detail = found(
            services.get_lesson(session, lesson_id=lesson_id),
            _("There is no lesson with number %(id)s.", id=lesson_id),
        )
        return render(
            request,
            "lessons/detail.html",
            lesson=detail.lesson,
            detail=detail,
            library=library.items_of_lesson(session, lesson_id=lesson_id),
        )


def lesson_reuse(request: Request) -> Response:
    with db(request) as session:
        try:
            filters = services.parse_filters(session, request.query_params)
        except InvalidFilter as error:
            raise invalid_value(error.field, error.value) from None
        overview = services.reuse_overview(
            session,
            programme=filters.programme,
            product_group=filters.product_group,
            language=language(request),
            page=filters.page,
        )
        check_page(filters.page, overview.never.pages)
        return render(
            request,
            "lessons/reuse.html",
            overview=overview,
            filters=filters,
            programmes=programme_choices(session),
            product_groups=taxonomy.product_groups(session),
        )
