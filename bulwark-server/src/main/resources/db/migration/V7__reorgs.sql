-- Reorganisations: recent block hashes per network (to find where a fork began), and retraction
-- marks on events of orphaned blocks and on the alerts they raised (kept, never deleted).
CREATE TABLE chain_blocks (
  network  VARCHAR(64) NOT NULL,
  number   BIGINT NOT NULL,
  hash     VARCHAR(66) NOT NULL,
  PRIMARY KEY (network, number)
);
ALTER TABLE events ADD COLUMN retracted_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE alerts ADD COLUMN retracted_at TIMESTAMP WITH TIME ZONE;
