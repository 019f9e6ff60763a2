"""Compiles the translation catalogs (``locales/*/LC_MESSAGES/messages.po``) when the hub is built.

Every way of installing (a wheel, ``pip install .``, ``pip install -e .``) then serves Dutch without a
``pybabel compile`` by hand: the ``.mo`` files are written beside the ``.po`` files, which the wheel
takes in as ``hub/locales`` and an editable install reads where they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsHook(BuildHookInterface):
    PLUGIN_NAME = "catalogs"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        for po in sorted(Path(self.root, "locales").glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[-3])
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)
