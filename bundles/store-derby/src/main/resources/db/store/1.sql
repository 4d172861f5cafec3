-- Users and domains. Names are stored canonical (lower case); the alias local part '' is the catch-all.
CREATE TABLE store_domain (
  id INT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name VARCHAR(255) NOT NULL UNIQUE
);
CREATE TABLE store_account (
  id INT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain_id INT NOT NULL REFERENCES store_domain (id),
  name VARCHAR(320) NOT NULL UNIQUE,
  password_hash VARCHAR(1000),
  enabled SMALLINT NOT NULL DEFAULT 1,
  quota_bytes BIGINT NOT NULL DEFAULT 0,
  quota_messages BIGINT NOT NULL DEFAULT 0,
  used_bytes BIGINT NOT NULL DEFAULT 0,
  used_messages BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE store_alias (
  domain_id INT NOT NULL REFERENCES store_domain (id),
  local_part VARCHAR(64) NOT NULL,
  target VARCHAR(320) NOT NULL,
  PRIMARY KEY (domain_id, local_part, target)
);
-- Mailboxes: the id is the UIDVALIDITY (identity values are never reused). Every change of
-- messages locks this row first (uid_next / highest_modseq), which orders writers per mailbox.
CREATE TABLE store_mailbox (
  id BIGINT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id INT NOT NULL,
  name VARCHAR(512) NOT NULL,
  special_use VARCHAR(100),
  uid_next BIGINT NOT NULL DEFAULT 1,
  highest_modseq BIGINT NOT NULL DEFAULT 1,
  first_recent_uid BIGINT NOT NULL DEFAULT 1,
  CONSTRAINT store_mailbox_name UNIQUE (account_id, name)
);
CREATE TABLE store_subscription (
  account_id INT NOT NULL,
  name VARCHAR(512) NOT NULL,
  PRIMARY KEY (account_id, name)
);
-- The raw message (never rewritten) and what was parsed from it once at delivery. Copies of a
-- message share one content row; rows no message refers to are purged in the background.
-- s_* columns: decoded, lower-cased header text for SEARCH; sent_date: the Date field's own day.
-- The id is allocated by the store, not by an identity column: Derby allocates identity values
-- in a nested transaction that times out under concurrent inserts (40XL1).
CREATE TABLE store_content (
  id BIGINT NOT NULL PRIMARY KEY,
  size BIGINT NOT NULL,
  sent_date DATE,
  sent_at BIGINT,
  s_from VARCHAR(4000),
  s_to VARCHAR(4000),
  s_cc VARCHAR(4000),
  s_bcc VARCHAR(4000),
  s_subject VARCHAR(4000),
  structure BLOB(64M) NOT NULL,
  raw BLOB(2G) NOT NULL
);
-- One row per message in a mailbox: the narrow, hot table (SELECT, FETCH FLAGS, STORE).
CREATE TABLE store_message (
  mailbox_id BIGINT NOT NULL,
  uid BIGINT NOT NULL,
  modseq BIGINT NOT NULL,
  content_id BIGINT NOT NULL,
  size BIGINT NOT NULL,
  internal_date BIGINT NOT NULL,
  seen SMALLINT NOT NULL,
  answered SMALLINT NOT NULL,
  flagged SMALLINT NOT NULL,
  deleted SMALLINT NOT NULL,
  draft SMALLINT NOT NULL,
  keywords VARCHAR(2000),
  PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX store_message_modseq ON store_message (mailbox_id, modseq);
CREATE INDEX store_message_content ON store_message (content_id);
-- Expunged UIDs, kept for QRESYNC VANISHED while the mailbox exists.
CREATE TABLE store_expunged (
  mailbox_id BIGINT NOT NULL,
  uid BIGINT NOT NULL,
  modseq BIGINT NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX store_expunged_modseq ON store_expunged (mailbox_id, modseq);
-- Content rows that may have lost their last message; the purger checks and deletes them.
CREATE TABLE store_purge (
  content_id BIGINT NOT NULL
);
CREATE INDEX store_purge_content ON store_purge (content_id);
-- A STORE or EXPUNGE over a large mailbox locks many rows; Derby would escalate to a table
-- lock at 5000 and block every other mailbox.
CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.escalationThreshold', '500000');
