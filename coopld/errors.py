"""The project's own error types.

Library code raises these and never prints or exits; the command line (``coopld.cli``) turns
them into a message and an exit code, the web application into an HTTP status. Each error
names the file or resource concerned and the reason.

    CoopldError                 exit 2   HTTP 500
    ├── ConfigError             exit 2   HTTP 500   bad setting, missing project folder
    ├── InputError              exit 2   HTTP 400   something a user gave us is unusable
    │   ├── ArticleError                            an article file: empty, not UTF-8, no body
    │   ├── RecordError                             a record file: bad JSON, wrong shape
    │   │   └── ConflictError                       two records state clashing facts of one IRI
    │   └── MappingError                            a mapping file: bad TOML, unknown key
    ├── ValidationFailed        exit 1   HTTP 500   the data break the SHACL shapes
    └── StoreError              exit 2   HTTP 503   the embedded store cannot be opened or loaded
"""

from __future__ import annotations

from pathlib import Path


class CoopldError(Exception):
    """Base of every error coopld raises on purpose."""

    exit_code: int = 2
    http_status: int = 500

    def __init__(self, reason: str, *, path: Path | str | None = None) -> None:
        self.reason = reason
        self.path = Path(path) if path is not None else None
        #: the file or URL as given (a URL is not a path: Path would fold its "//")
        self.where = str(path) if path is not None else None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The sentence a user sees: the file (or the store's URL) first, then what is wrong."""
        return f"{self.where}: {self.reason}" if self.where is not None else self.reason


class ConfigError(CoopldError):
    """A setting is invalid or a folder the project needs is missing."""


class InputError(CoopldError):
    """Something given to coopld cannot be used as it is."""

    http_status = 400


class ArticleError(InputError):
    """An article file cannot be read as an article."""


class RecordError(InputError):
    """A record file is not a well-formed coopld record."""


class ConflictError(RecordError):
    """Two records give one IRI to resources whose single-valued facts clash (an agreement's
    period, class or parties; an event's date or kind): merging them would make one resource of
    two things, so the build publishes nothing. ``conflicts`` holds one sentence per clash, each
    naming the IRI, the property, both values and both records."""

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        lines = "\n".join(f"  - {c}" for c in conflicts)
        super().__init__(f"{len(conflicts)} clash(es) between records that give one IRI to things that differ; "
                         "nothing was published and the dataset being served is unchanged. Correct one of the "
                         f"records named (the fact, or the IRI it gives):\n{lines}")


class MappingError(InputError):
    """A file in ``mappings/`` is malformed or refers to something that does not exist."""


class ValidationFailed(CoopldError):
    """The dataset breaks one or more SHACL shapes with severity Violation."""

    exit_code = 1

    def __init__(self, reason: str, *, report_text: str = "", path: Path | str | None = None) -> None:
        self.report_text = report_text
        super().__init__(reason, path=path)


class StoreError(CoopldError):
    """The embedded triple store cannot be opened, loaded or queried."""

    http_status = 503
