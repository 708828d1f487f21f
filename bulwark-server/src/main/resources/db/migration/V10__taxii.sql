-- TAXII 2.1 over the STIX store.
-- version_key: the version as a sortable string (UTC, nine fractional digits) so that
-- match[version]=first/last and exact versions compare as instants whatever digits were sent.
ALTER TABLE stix_objects ADD COLUMN version_key VARCHAR(40) DEFAULT '' NOT NULL;
CREATE INDEX stix_objects_by_object ON stix_objects (collection_id, object_id, version_key);
CREATE INDEX stix_objects_by_date ON stix_objects (collection_id, date_added);
ALTER TABLE stix_objects ADD CONSTRAINT stix_objects_collection
  FOREIGN KEY (collection_id) REFERENCES stix_collections (id);

-- A collection's alias is unique within the API root.
ALTER TABLE stix_collections ADD COLUMN alias VARCHAR(100);
CREATE UNIQUE INDEX stix_collections_alias ON stix_collections (alias);

-- Status resources of Add Objects requests, readable by the posting organisation (kept 7 days).
CREATE TABLE taxii_status (
  id             VARCHAR(36) PRIMARY KEY,
  collection_id  VARCHAR(100) NOT NULL REFERENCES stix_collections (id),
  org_id         BIGINT NOT NULL REFERENCES organisations (id),
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  body           VARCHAR(10000000) NOT NULL
);
CREATE INDEX taxii_status_by_age ON taxii_status (created_at);

-- Bumped by every change that can take visibility away (deleted versions, changed grants or
-- recipients), so that whoever mirrors what an organisation may see knows to rebuild it.
CREATE TABLE stix_generation (
  id          INT PRIMARY KEY,
  generation  BIGINT NOT NULL
);
INSERT INTO stix_generation (id, generation) VALUES (1, 0);
