"""Linnworks for pimflow: the client (`linnworks.api.client`), its Airflow hook (`linnworks.hook`), the
`linnworks` connection type (`linnworks.connection`) and the desired-state writer
(`linnworks.writer`). Kept import-free: Airflow reads the connection type at start-up.
"""
