"""pimflow core: profile models, DAG factory, staging, run summary, CLI."""
