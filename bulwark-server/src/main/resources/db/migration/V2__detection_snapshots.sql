-- Engine state snapshots, one set per detection run position. A snapshot can exceed one
-- VARCHAR, so it is stored in ordered chunks (portable across H2 and PostgreSQL).
CREATE TABLE detection_snapshots (
  org_id     BIGINT NOT NULL REFERENCES organisations (id),
  chunk      INTEGER NOT NULL,
  body       VARCHAR(500000) NOT NULL,
  PRIMARY KEY (org_id, chunk)
);

-- The log position all snapshots were taken at (one row).
CREATE TABLE detection_snapshot_position (
  name       VARCHAR(100) PRIMARY KEY,
  last_seq   BIGINT NOT NULL,
  taken_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
