"""The read-only JSON API of what the academy publishes (forums, published editions, their
programmes) and the staff endpoint of invitation counts. Public reads go through
forums.programme, as the public pages do, so the API shows exactly what they show."""
