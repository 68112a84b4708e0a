"""The debate core: retrieve passages, compose a grounded reply, verify every citation and quote."""
