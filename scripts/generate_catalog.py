"""Regenerate the committed operation catalog from ../shared/intercom-openapi.

Usage: python scripts/generate_catalog.py [SPEC_PATH]
"""

from __future__ import annotations

import sys
from pathlib import Path

from intercom_connector.catalog import output_generator, versions_generator
from intercom_connector.catalog.generator import DEFAULT_SPEC, write


def main() -> None:
    spec = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPEC
    if not spec.is_file():
        sys.exit(f"spec not found: {spec} (expected ../shared/intercom-openapi beside the project)")
    catalog_path, schemas_path = write(spec)
    outputs_path = output_generator.write(catalog_path, schemas_path)
    print(f"wrote {catalog_path}, {schemas_path} and {outputs_path} from {spec}")
    print(f"wrote {versions_generator.write(spec)} from {spec.parent / 'versions'}")


if __name__ == "__main__":
    main()
