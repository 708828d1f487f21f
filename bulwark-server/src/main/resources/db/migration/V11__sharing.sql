-- Sightings point at what they saw: indexed so that an indicator's sightings are one lookup.
ALTER TABLE stix_objects ADD COLUMN sighting_of VARCHAR(300);
CREATE INDEX stix_objects_by_sighting ON stix_objects (sighting_of);

-- Which STIX objects an alert was shared as (the alert keeps no copy).
CREATE TABLE alert_shares (
  alert_id       VARCHAR(64) NOT NULL,
  org_id         BIGINT NOT NULL REFERENCES organisations (id),
  collection_id  VARCHAR(100) NOT NULL REFERENCES stix_collections (id),
  indicator_id   VARCHAR(300) NOT NULL,
  sighting_id    VARCHAR(300) NOT NULL,
  tlp            VARCHAR(20) NOT NULL,
  shared_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (alert_id, org_id, collection_id, indicator_id)
);

-- Where federation stands with each peer link: for a pull, the peer's last X-TAXII-Date-Added-Last
-- stored (the next added_after); for a push, the last local sequence number sent.
CREATE TABLE federation_cursors (
  peer               VARCHAR(100) NOT NULL,
  direction          VARCHAR(4) NOT NULL,
  remote_collection  VARCHAR(300) NOT NULL,
  local_collection   VARCHAR(100) NOT NULL,
  position           VARCHAR(64) NOT NULL,
  updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (peer, direction, remote_collection, local_collection)
);
