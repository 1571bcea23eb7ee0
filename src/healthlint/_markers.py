"""The pluggy markers, in their own module so that nothing heavy is imported with them."""

import pluggy

PROJECT = "healthlint"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
