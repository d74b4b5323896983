from hypothesis import HealthCheck, settings

# deadline=None: compiling a rulebook takes a few ms, more on a loaded CI machine.
settings.register_profile("jixiao", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("jixiao")
