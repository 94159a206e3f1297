"""What the force publishes and keeps on file: each deployment's published record and its
figures, the document registry (DPIA, FRIA, ...), the regulator reports and the site's public
settings."""
