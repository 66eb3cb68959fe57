"""Content: the Markdown and YAML entries that are the directory's source of truth.

Nothing here imports Flask; the command line, publishing and the editor all
use :func:`load_content`.
"""

from .loader import ContentSet, load_content
from .problems import ERROR, WARNING, ContentError, Problem

__all__ = ["ERROR", "WARNING", "ContentError", "ContentSet", "Problem", "load_content"]
