"""Pure analysis over result frames: they take frames and know nothing of engines.

- :mod:`.check`: :func:`psdata.check`, Lighthouse CI assertions and budgets
  (:mod:`.lhci_config` reads them, :mod:`.assertions` judges runs with them,
  :mod:`.check_report` writes the outcome for people and CI systems).
- :mod:`.compare`: :func:`psdata.compare`, before and after runs with rank tests.
- :mod:`.templates`: :func:`psdata.url_templates` (each URL's route template) and
  :func:`psdata.sample` (a few URLs per template).
"""
