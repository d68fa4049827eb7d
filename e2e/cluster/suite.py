"""What the cluster suite runs: its profiles, a catalog size, where its files go."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = ROOT / ".airflow" / "cluster"  # inside the repository, ignored by git; emptied at each session
PROFILES = HERE / "profiles"
DAG_ID = "cluster_akeneo_to_linnworks"
# a second profile on the same Linnworks account, run at the same moment as DAG_ID once
FEED_DAG_ID = "cluster_feed_to_linnworks"
FEED = PROFILES / "cluster_supplier_items.csv"
CHUNK_SIZE = 50  # as the profile says
CATALOG_SIZE = 300  # Akeneo products: about 250 in the profile's channel, so 6 transform and 6 load tasks
QUOTA_WINDOW = 3  # seconds per Linnworks quota window (60 in reality), as in the demo
