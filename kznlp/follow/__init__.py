"""Following what officials decide: watchlists (``watches``), Atom feeds (``feeds``), the deadline tracker
with calendar export (``deadlines``) and cross-referencing a list of names (``xref``).  ``cli`` and ``web``
plug them into the ``kznlp`` command and the website."""
