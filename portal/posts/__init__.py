"""The heart of the portal: channels, posts and their revisions.

``models`` (the tables), ``states`` (the one post-state enum and ``state_of``), ``content`` (a
post's editable content, declared once), ``queries`` (every read; what "public" means),
``service`` (THE write path: the only code that writes a post or a revision) and ``signals``
(``post_changed``, sent after every committed change). Blueprints and feature packages import
this package; it imports none of them.
"""
