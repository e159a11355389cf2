"""``python -m metricaudit audit RUN``: the same command as the ``metricaudit`` script."""

from .cli import main

if __name__ == "__main__":
    main()
