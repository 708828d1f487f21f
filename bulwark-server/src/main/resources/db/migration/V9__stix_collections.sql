-- TAXII collections and which organisations may read or write each.
CREATE TABLE stix_collections (
  id           VARCHAR(100) PRIMARY KEY,
  title        VARCHAR(500) NOT NULL,
  description  VARCHAR(4000),
  owner_org    BIGINT NOT NULL REFERENCES organisations (id),
  created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE stix_grants (
  collection_id  VARCHAR(100) NOT NULL REFERENCES stix_collections (id),
  org_id         BIGINT NOT NULL REFERENCES organisations (id),
  can_read       BOOLEAN NOT NULL,
  can_write      BOOLEAN NOT NULL,
  PRIMARY KEY (collection_id, org_id)
);

-- TLP:RED objects reach only their producer and the organisations named here.
CREATE TABLE stix_recipients (
  object_seq  BIGINT NOT NULL REFERENCES stix_objects (seq),
  org_id      BIGINT NOT NULL REFERENCES organisations (id),
  PRIMARY KEY (object_seq, org_id)
);
