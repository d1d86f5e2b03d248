-- The end user a caller names in a request (OpenAI's `user` field), kept in the audit log so abuse
-- can be traced to the caller's own user. Rows written before this column have it null, and the
-- hash chain covers it only when it is set, so their hashes still verify.
ALTER TABLE audit_log ADD COLUMN end_user TEXT;
