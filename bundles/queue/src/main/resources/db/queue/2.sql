-- Initial flags of a local copy chosen by a filter (Sieve imap4flags), space-separated; NULL for none.
ALTER TABLE queue_recipient ADD COLUMN flags VARCHAR(1024)
