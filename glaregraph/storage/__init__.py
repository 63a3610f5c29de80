"""Blob stores behind one Protocol (S3/MinIO and a local folder); a leaf that knows nothing of
the catalog. The stores arrive with the blob capability (API.md section 6)."""
