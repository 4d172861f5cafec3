-- Sieve scripts: many named scripts per account, at most one active (RFC 5804 §1.7).
CREATE TABLE sieve_script (
  account   VARCHAR(320)  NOT NULL,
  name      VARCHAR(255)  NOT NULL,
  content   CLOB(16M)     NOT NULL,
  active    BOOLEAN       NOT NULL DEFAULT FALSE,
  PRIMARY KEY (account, name)
);

-- Vacation response-rate tracking (RFC 5230 §4.2): who was answered, with which response, until when
-- no further answer is due. The sender and handle are kept only as a SHA-256 hash.
CREATE TABLE sieve_vacation (
  account     VARCHAR(320)  NOT NULL,
  reply_key   CHAR(64)      NOT NULL,
  quiet_until BIGINT        NOT NULL,
  PRIMARY KEY (account, reply_key)
)
