"""Documents the forums print (PDF): reads of the models laid out with academy_portal.core.pdf."""
