-- The queue index. The message bytes live in the spool directory, one file per entry named by id.
-- Times are epoch milliseconds (UTC) from the queue's clock.
CREATE TABLE queue_message (
  id             VARCHAR(32)   NOT NULL PRIMARY KEY,
  sender         VARCHAR(1024),
  ret            VARCHAR(8),
  envid          VARCHAR(200),
  body_type      VARCHAR(16)   NOT NULL,
  smtputf8       BOOLEAN       NOT NULL,
  helo           VARCHAR(1024),
  client_address VARCHAR(64)   NOT NULL,
  client_host    VARCHAR(1024),
  protocol       VARCHAR(32)   NOT NULL,
  auth_user      VARCHAR(1024),
  tls            VARCHAR(256),
  listener       VARCHAR(64),
  received_at    BIGINT        NOT NULL,
  message_size   BIGINT        NOT NULL,
  body_offset    BIGINT        NOT NULL,
  arrival        BIGINT        NOT NULL,
  next_attempt   BIGINT        NOT NULL,
  held           BOOLEAN       NOT NULL DEFAULT FALSE,
  hold_reason    VARCHAR(1024),
  filtered       BOOLEAN       NOT NULL DEFAULT FALSE,
  edited_header  BLOB(16M),
  edited_length  BIGINT        NOT NULL DEFAULT 0,
  lease_owner    VARCHAR(128),
  lease_until    BIGINT
);
CREATE INDEX queue_message_due ON queue_message (next_attempt);
CREATE INDEX queue_message_arrival ON queue_message (arrival);

-- One row per recipient: the envelope's, then the accounts and forwards a local address expands to.
CREATE TABLE queue_recipient (
  message_id     VARCHAR(32)   NOT NULL REFERENCES queue_message (id),
  rcpt_no        INT           NOT NULL,
  parent_no      INT,
  hops           INT           NOT NULL DEFAULT 0,
  address        VARCHAR(1024) NOT NULL,
  account        VARCHAR(1024),
  mailbox        VARCHAR(1024),
  notify         VARCHAR(64)   NOT NULL,
  orcpt          VARCHAR(1024),
  state          VARCHAR(16)   NOT NULL,
  attempts       INT           NOT NULL DEFAULT 0,
  next_attempt   BIGINT        NOT NULL,
  last_attempt   BIGINT,
  reply_code     INT           NOT NULL DEFAULT 0,
  status_code    VARCHAR(16),
  last_error     VARCHAR(2000),
  error_kind     VARCHAR(16),
  remote_mta     VARCHAR(1024),
  via_remote     BOOLEAN       NOT NULL DEFAULT FALSE,
  notify_pending BOOLEAN       NOT NULL DEFAULT FALSE,
  delay_reported BOOLEAN       NOT NULL DEFAULT FALSE,
  PRIMARY KEY (message_id, rcpt_no)
);
