-- The role Vigil's service runs as on PostgreSQL: it may read and change the register, but it
-- may only INSERT and SELECT audit rows. Even with the service fully compromised, the audit
-- trail cannot be edited or deleted through its connection (TRUNCATE, UPDATE and DELETE on
-- audit_events and audit_chain are denied), and the signed checkpoints catch a truncated tail.
--
-- Run as the owner of Vigil's tables, after `vigil migrate` (which the owner runs, not the
-- service: start the service with database.migrate_on_start = false):
--   psql "$OWNER_URL" -v app_role=vigil_app -f deploy/postgres/app-role.sql
-- Re-run after every upgrade that adds tables. The role itself is created beforehand, e.g.
--   CREATE ROLE vigil_app LOGIN PASSWORD '...';
-- tests/it/audit_role.rs applies this file and proves each denial.

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events, audit_chain, audit_event_records FROM :"app_role";
GRANT SELECT, INSERT ON audit_events, audit_chain, audit_event_records TO :"app_role";
-- audit_event_records (which entries name a record) is filled by a trigger on audit_events, in
-- the entry's own INSERT; the role cannot remove a row to hide an entry from a search.
-- audit_seal_marks stays writable: the sealer moves its marks forward. Rolling the high-water
-- mark back gains nothing, since the chain itself cannot be cut through this role.
