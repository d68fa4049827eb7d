"""The run report inside the Airflow UI: what one run of a profile did, read from its staging folder.

An Airflow plugin (`plugin.PimflowReportPlugin`, registered through the `airflow.plugins` entry point)
serves a FastAPI app under `/pimflow` from the API server, behind Airflow's own authentication (the
auth manager's login, checked per DAG), and shows it as a view on each DAG run and on each DAG.

    plugin.py     the AirflowPlugin: the app (built on first use) and the two UI views
    app.py        the routes: JSON API, HTML pages, downloads, a record's history
    store.py      reading a run's staging folder without writing to it: summary, marks, files
    refused.py    the refused records of a run: read once, filtered, sorted and paged
    downloads.py  a staged file streamed in chunks, with its content type and file name
    pages.py      the HTML pages (server-rendered, no build step, nothing loaded from elsewhere)
"""
