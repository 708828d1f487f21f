-- How far each watched network has been read: the last fully processed block and its hash (to
-- notice a reorganisation at the next block).
CREATE TABLE chain_checkpoints (
  network     VARCHAR(64) PRIMARY KEY,
  last_block  BIGINT NOT NULL,
  last_hash   VARCHAR(66) NOT NULL,
  updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
