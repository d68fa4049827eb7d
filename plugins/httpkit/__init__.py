"""The HTTP vocabulary the Akeneo and Linnworks clients share: Retry-After, verify before resend,
redaction of secrets, and the settings both read from an Airflow connection."""
