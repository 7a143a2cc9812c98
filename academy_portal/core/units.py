"""The academy's units: they organise forums and hold MOUs, so both forums and partners use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AcademyUnit(models.TextChoices):
    ISS = "iss", _("Institute for Strategic Studies")
    EAST_SEA = "east_sea", _("East Sea Institute")
    FOREIGN_POLICY = "foreign_policy", _("Institute for Foreign Policy")
    INTERNATIONAL_COOPERATION = "intl_cooperation", _("Department of International Cooperation")
    TRAINING = "training", _("Faculty of Diplomatic Training")
