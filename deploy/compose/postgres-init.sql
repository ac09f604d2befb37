-- Image Studio: one database per service that owns data (no service reads another's database).
-- Run once by the postgres image on an empty data volume (mounted into /docker-entrypoint-initdb.d).
CREATE DATABASE studio_gateway;
CREATE DATABASE studio_billing;
CREATE DATABASE studio_assets;
CREATE DATABASE studio_batch;
