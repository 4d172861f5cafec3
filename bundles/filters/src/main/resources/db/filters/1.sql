-- Greylisting (org.posthorn.filters.greylist): one row per client network + sender + recipient
-- triplet, keyed by the SHA-256 of the triplet so no addresses are stored. Times are epoch
-- milliseconds (UTC) from the component's clock.
CREATE TABLE greylist (
  triplet    CHAR(64) NOT NULL PRIMARY KEY,
  first_seen BIGINT   NOT NULL,
  last_seen  BIGINT   NOT NULL,
  passed     BOOLEAN  NOT NULL DEFAULT FALSE
);
CREATE INDEX greylist_last_seen ON greylist (last_seen);
