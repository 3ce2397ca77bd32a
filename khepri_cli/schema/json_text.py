"""JSON text as ``json.dumps`` writes it, from an encoder built once.

Standard library only: the check-in imports it on every run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any


def json_writer(*, sort_keys: bool = False, allow_nan: bool = True) -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=..., allow_nan=...)``, its C encoder
    built once.

    ``json.dumps`` builds an encoder on every call, which costs a third of
    writing a check-in's readiness verdict. The text is the same; only the
    check for circular references is left out: a document is walked by its
    kind's check before it is written, and one that cannot come from JSON.
    """
    if c_make_encoder is None:  # a Python without the C accelerator
        return partial(json.dumps, ensure_ascii=False, sort_keys=sort_keys, allow_nan=allow_nan)
    default = json.JSONEncoder().default  # refuses what JSON has no form for, as json.dumps does
    encode = c_make_encoder(
        None, default, encode_basestring, None, ": ", ", ", sort_keys, False, allow_nan
    )
    return lambda value: "".join(encode(value, 0))
