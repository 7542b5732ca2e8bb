"""Datacenter-buildout sources: power records (EIA-860M, ISO interconnection queues, large-load
queues). Shared mechanics live in :mod:`sources.buildout.layout` (per-vintage layout maps and the
one generic reader of workbooks and CSVs), :mod:`sources.buildout.cells` (cell coercion) and
:mod:`sources.buildout.queue` (what every queue source shares); one module per source."""
