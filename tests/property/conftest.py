import os

from hypothesis import HealthCheck, Phase, settings

# deadline=None: compiling a rulebook takes a few ms, more on a loaded CI machine.
settings.register_profile("jixiao", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# for long bug hunts (JIXIAO_PROPERTY_SCALE=20 HYPOTHESIS_PROFILE=jixiao-hunt): report, don't shrink
settings.register_profile("jixiao-hunt", parent=settings.get_profile("jixiao"), database=None,
                          phases=[Phase.explicit, Phase.generate])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "jixiao"))
