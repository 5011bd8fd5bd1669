"""Jobs: documents converted in the background, kept on disk until they are finished.

`model` (the Job record and the summary clients and webhooks see), `store` (the job
records: SQLite in data_dir, one writer), `results` (a finished job's files), `sources`
(a job's input, durably on disk before the job is accepted), `runner` (the in-service
worker pool, restart recovery, expiry), `webhooks` (signed notifications), `service` (what
the API calls: submit, look up, list, cancel, delete, results).
"""
