"""The HTTP vocabulary the Akeneo and Linnworks clients share: Retry-After (`retry_after`), verify
before resend (`verify`), redaction of secrets (`redaction`), registering them with Airflow's
masker (`masking`), and the settings both read from an Airflow connection (`settings`)."""
