"""The healthlint language server (``healthlint server``).

Needs the ``server`` extra (pygls and lsprotocol): ``pip install 'healthlint[server]'``.
:mod:`~healthlint.server.positions`, :mod:`~healthlint.server.actions`,
:mod:`~healthlint.server.hover` and :mod:`~healthlint.server.documents` do not use pygls;
:mod:`~healthlint.server.app` is the protocol side.
"""
