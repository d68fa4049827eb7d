from __future__ import annotations

import pytest
from productsup.codec import FlatCodec
from productsup_catalog import catalog


@pytest.fixture(scope="session")
def meta():
    return catalog()


@pytest.fixture
def codec(meta):
    return FlatCodec(meta)
