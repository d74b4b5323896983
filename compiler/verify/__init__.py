"""Checking rulebooks by running them: the reference interpreter (``interpreter``), the
counterexample search behind W0505/E0501 (``search``), generated property tests
(``properties``), ``.jxt`` test suites (``suites``) and the pytest plugin collecting them."""
