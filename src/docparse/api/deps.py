"""Typed dependency aliases for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from docparse.api.state import ServiceState
from docparse.settings import Settings


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def get_settings(request: Request) -> Settings:
    return get_state(request).settings


StateDep = Annotated[ServiceState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
