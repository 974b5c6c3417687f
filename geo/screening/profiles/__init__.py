"""Screening profiles shipped with stadtregion (YAML files read by :mod:`geo.screening.io`)."""
