"""`python -m intercom_connector` runs the CLI."""

from intercom_connector.cli import main

main()
