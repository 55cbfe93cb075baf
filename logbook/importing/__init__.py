"""``logbook import``: conversations captured from where they live (email files, mailboxes, chat exports).

The stages, one module each, are pure until the last:

* ``sources``: what each SOURCE is (an ``.eml``, an mbox, a Maildir, a WhatsApp export) and its raw messages;
* ``mail`` and ``whatsapp``: raw messages → ``Incoming`` values (time, people, body, attachments, original);
* ``routing``: which case each one joins (``--case``, its thread, the refs it names) or why it joins none;
* ``plan``: the whole import decided from the sources and the loaded logbook, before anything is written;
* ``writing``: the plan carried out, one checked batch per case (``logbook.authoring.batch``, on the record
  writer of ``logbook add``), committed in one commit with ``[git] commit = true``.
"""

from .plan import ImportPlan, ImportRequest, plan_import
from .writing import write_plan

__all__ = ["ImportPlan", "ImportRequest", "plan_import", "write_plan"]
