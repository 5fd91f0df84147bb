import ssl

context = ssl.create_default_context()
context.check_hostname = True
if not context.check_hostname:
    raise RuntimeError("host name checks are off")
check_hostname = False  # a local flag, not the context's
