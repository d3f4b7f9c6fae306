"""The site's own dates, taken from the articles (or ``SOURCE_DATE_EPOCH``), never from the clock."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Mapping, Sequence

from briefgen.config import SiteConfig
from briefgen.model import Briefing

EPOCH_DAY = dt.date(1970, 1, 1)


def source_date_epoch(environ: Mapping[str, str] | None = None) -> dt.datetime | None:
    """The reproducible-builds timestamp, when the environment sets one."""
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def newest_article_date(briefings: Sequence[Briefing]) -> dt.date | None:
    dates = [b.article.date for b in briefings if b.article.date is not None]
    return max(dates) if dates else None


def as_of_date(briefings: Sequence[Briefing], environ: Mapping[str, str] | None = None) -> dt.date:
    """The day the site speaks from ("upcoming" deadlines are on or after it).

    ``SOURCE_DATE_EPOCH`` when set (a deploy can pass the publication time), else the
    newest article's date, else 1970-01-01: the same content always gives the same site.
    """
    epoch = source_date_epoch(environ)
    if epoch is not None:
        return epoch.date()
    return newest_article_date(briefings) or EPOCH_DAY


def day_start(day: dt.date, config: SiteConfig) -> dt.datetime:
    """Midnight of ``day`` in the site's timezone, as an aware datetime in UTC."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(config.timezone))
    return local.astimezone(dt.UTC)


def site_updated(
    briefings: Sequence[Briefing], config: SiteConfig, environ: Mapping[str, str] | None = None
) -> dt.datetime:
    """When the site as a whole last changed: the newest article's day, or ``SOURCE_DATE_EPOCH``."""
    newest = newest_article_date(briefings)
    if newest is not None:
        return day_start(newest, config)
    return source_date_epoch(environ) or dt.datetime.combine(EPOCH_DAY, dt.time(), tzinfo=dt.UTC)
