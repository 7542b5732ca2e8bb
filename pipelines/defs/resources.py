"""Resources: where the warehouse is. Kept to dependency injection; no asset logic here."""

from __future__ import annotations

import dagster as dg

from warehouse.connection import WarehouseSettings


class WarehouseResource(dg.ConfigurableResource):
    """Data directory and DuckDB database string; empty means the CLI's defaults
    (``COMPUTE_ATLAS_DATA_DIR`` / ``COMPUTE_ATLAS_DATABASE``, else ``./data``)."""

    data_dir: str | None = None
    database: str | None = None

    def settings(self) -> WarehouseSettings:
        return WarehouseSettings.from_env(self.data_dir, self.database)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse": WarehouseResource()})
