"""Wage-arrears complaints (issue 4). So far: parsing what complainants type."""
