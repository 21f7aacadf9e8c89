"""The time zone a page's wall-clock times are in, when no site rule says.

A date such as "2026-11-19 10:32" on a Chinese news site is Beijing time, not UTC. Without a site rule, the
country-code domain is the strongest hint, then the page's declared language where that language is spoken in
one time zone, then a GB-family encoding (used only for mainland Chinese text). Languages spoken across many
zones (en, fr, es, ar, pt...) give no hint, and the answer is UTC.
"""

from __future__ import annotations

from urllib.parse import urlsplit

COUNTRY_DOMAIN_ZONES = {
    "cn": "Asia/Shanghai", "hk": "Asia/Hong_Kong", "mo": "Asia/Macau", "tw": "Asia/Taipei", "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul", "th": "Asia/Bangkok", "vn": "Asia/Ho_Chi_Minh", "sg": "Asia/Singapore",
    "my": "Asia/Kuala_Lumpur", "in": "Asia/Kolkata", "id": "Asia/Jakarta", "ph": "Asia/Manila",
    "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich", "fr": "Europe/Paris",
    "be": "Europe/Brussels", "nl": "Europe/Amsterdam", "it": "Europe/Rome", "es": "Europe/Madrid",
    "pt": "Europe/Lisbon", "uk": "Europe/London", "ie": "Europe/Dublin", "pl": "Europe/Warsaw",
    "cz": "Europe/Prague", "se": "Europe/Stockholm", "no": "Europe/Oslo", "fi": "Europe/Helsinki",
    "dk": "Europe/Copenhagen", "gr": "Europe/Athens", "tr": "Europe/Istanbul", "ua": "Europe/Kyiv",
    "za": "Africa/Johannesburg", "nz": "Pacific/Auckland", "ar": "America/Argentina/Buenos_Aires",
    "uy": "America/Montevideo", "cl": "America/Santiago", "pe": "America/Lima", "ve": "America/Caracas",
    "ec": "America/Guayaquil", "il": "Asia/Jerusalem", "eg": "Africa/Cairo", "ng": "Africa/Lagos",
    "ke": "Africa/Nairobi", "pk": "Asia/Karachi", "bd": "Asia/Dhaka", "hu": "Europe/Budapest",
    "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "sk": "Europe/Bratislava", "hr": "Europe/Zagreb",
    "si": "Europe/Ljubljana", "rs": "Europe/Belgrade", "lt": "Europe/Vilnius", "lv": "Europe/Riga",
    "ee": "Europe/Tallinn",
}
LANGUAGE_ZONES = {
    "zh-cn": "Asia/Shanghai", "zh-hans": "Asia/Shanghai", "zh-hans-cn": "Asia/Shanghai", "zh": "Asia/Shanghai",
    "zh-tw": "Asia/Taipei", "zh-hant-tw": "Asia/Taipei", "zh-hk": "Asia/Hong_Kong", "zh-hant-hk": "Asia/Hong_Kong",
    "ja": "Asia/Tokyo", "ja-jp": "Asia/Tokyo", "ko": "Asia/Seoul", "ko-kr": "Asia/Seoul", "th": "Asia/Bangkok",
    "th-th": "Asia/Bangkok", "vi": "Asia/Ho_Chi_Minh", "de": "Europe/Berlin", "de-de": "Europe/Berlin",
    "it": "Europe/Rome", "pl": "Europe/Warsaw", "tr": "Europe/Istanbul", "uk": "Europe/Kyiv",
    "fr-fr": "Europe/Paris", "es-es": "Europe/Madrid", "en-gb": "Europe/London", "pt-br": "America/Sao_Paulo",
    "es-ar": "America/Argentina/Buenos_Aires", "es-uy": "America/Montevideo", "es-cl": "America/Santiago",
    "es-pe": "America/Lima", "en-in": "Asia/Kolkata", "hi": "Asia/Kolkata", "bn": "Asia/Dhaka",
    "hu": "Europe/Budapest", "ro": "Europe/Bucharest", "cs": "Europe/Prague", "el": "Europe/Athens",
    "he": "Asia/Jerusalem", "fa": "Asia/Tehran", "id": "Asia/Jakarta",
}
GB_CODECS = {"gb18030", "gbk", "gb2312"}


def default_timezone(url: str, declared_language: str | None, codec: str | None) -> str:
    """The IANA zone assumed for times without an offset on a page no site rule describes."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    zone = COUNTRY_DOMAIN_ZONES.get(host.rsplit(".", 1)[-1])
    if zone:
        return zone
    language = (declared_language or "").strip().lower().replace("_", "-")
    zone = LANGUAGE_ZONES.get(language) or LANGUAGE_ZONES.get(language.split("-")[0])
    if zone:
        return zone
    if (codec or "").lower() in GB_CODECS:
        return "Asia/Shanghai"
    return "UTC"
