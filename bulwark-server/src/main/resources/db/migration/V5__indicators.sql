-- Indicators from feeds (OFAC, darklists, CSV): public lists that apply to every organisation.
CREATE TABLE indicators (
  id           VARCHAR(100) PRIMARY KEY,
  feed         VARCHAR(100) NOT NULL,
  name         VARCHAR(1000) NOT NULL,
  source       VARCHAR(200) NOT NULL,
  confidence   INTEGER NOT NULL,
  valid_from   TIMESTAMP WITH TIME ZONE NOT NULL,
  valid_until  TIMESTAMP WITH TIME ZONE,
  pattern      VARCHAR(10000) NOT NULL,
  updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX indicators_by_feed ON indicators (feed);
