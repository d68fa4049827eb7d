"""Akeneo Event Platform → Airflow: deliveries of product and product model events become asset
events, so profiles can run on changes instead of waiting for their cron.

- `contract.py`: the asset per connection (`akeneo://<conn_id>/products`) and its events' `extra`
  (what consumers rely on; imported by DAG files, so light);
- `receiver.py`: the FastAPI app the API server serves (`plugin.py`) at
  `/pimflow/events/akeneo/<conn_id>`: verify, check freshness, deduplicate, record;
- `signature.py`, `envelope.py`: the platform's HMAC signature and the CloudEvents it sends;
- `settings.py`: what a connection's extra holds for the receiver (`events_secret`...);
- `receipts.py`: the event ids received (table `pimflow_akeneo_event_receipt`) and the recording of
  one asset event per delivery through Airflow's asset manager.
"""
