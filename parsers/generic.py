"""The fallback for pages of any other platform: no selectors of its own, only the
structural and label-driven steps of the engine (main text block, "Ngày đăng", "Lượt xem",
"Tác giả", closing bylines). It never scores in detection; it is what "auto" falls back to.
"""

from __future__ import annotations

from .engine import Profile
from .platform import Platform

PLATFORM = Platform(name="generic", profile=Profile(name="generic"))
