"""Speed benchmarks of the hub: ``python bench/run.py`` (``make bench``); see bench/README.md."""
