"""Linnworks for pimflow: the client (`linnworks.client`), its Airflow hook (`linnworks.hook`) and
the `linnworks` connection type (`linnworks.connection`). Kept import-free: Airflow reads the
connection type at start-up.
"""
