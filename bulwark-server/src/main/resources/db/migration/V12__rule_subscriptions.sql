-- An organisation that loads the detection rules published in a collection as disabled drafts;
-- position is the last collection sequence number looked at.
CREATE TABLE rule_subscriptions (
  collection_id  VARCHAR(100) NOT NULL REFERENCES stix_collections (id),
  org_id         BIGINT NOT NULL REFERENCES organisations (id),
  position       BIGINT NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (collection_id, org_id)
);
