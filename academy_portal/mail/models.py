# Outbox models arrive with the invitations work.
