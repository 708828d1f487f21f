-- Rules an organisation manages through the API, and its overrides of file rules' enabled flag
-- (rows with no text).
CREATE TABLE org_rules (
  org_id      BIGINT NOT NULL REFERENCES organisations (id),
  rule_id     VARCHAR(128) NOT NULL,
  text        VARCHAR(200000),
  enabled     BOOLEAN NOT NULL,
  updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (org_id, rule_id)
);
