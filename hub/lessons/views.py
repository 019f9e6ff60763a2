"""Public lesson pages: the filtered list, one lesson with the pilots that used it, and reuse."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.i18n import N_
from hub.lessons import services
from hub.lessons.models import LessonKind
from hub.library import services as library
from hub.programmes.services import programme_choices
from hub.public import list_page, record
from hub.queries import Sort
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase
from hub.web import check_page, db, language, render


def lesson_list(request: Request) -> Response:
    with db(request) as session:
        filters = services.parse_filters(session, request.query_params)
        return list_page(
            request,
            "lessons/list.html",
            services.list_lessons(session, filters=filters, language=language(request)),
            filters,
            programmes=programme_choices(session),
            product_groups=taxonomy.product_groups(session),
            kinds=list(LessonKind),
            phases=list(Phase),
            sorts=list(Sort),
        )


def lesson_detail(request: Request) -> Response:
    with db(request) as session:
        detail = record(
            request, session, services.get_lesson, "lesson_id", N_("There is no lesson with number %(id)s.")
        )
        return render(
            request,
            "lessons/detail.html",
            lesson=detail.lesson,
            detail=detail,
            library=library.items_of_lesson(session, lesson_id=detail.lesson.id),
        )


def lesson_reuse(request: Request) -> Response:
    with db(request) as session:
        filters = services.parse_filters(session, request.query_params)
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
