"""The console's pages, one module per area; bot/console/routes.py maps them to paths."""
