"""Staff endpoint of the API that reads partners: the MOU list (academy_portal.core.api)."""
