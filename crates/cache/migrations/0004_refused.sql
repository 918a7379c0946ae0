-- One word for the server's no to a queued action: "refused" (the UI's, the CLI's and the IPC
-- error code's word). Outbox rows and audit results written as "rejected" say so again.
UPDATE outbox SET state = 'refused' WHERE state = 'rejected';
UPDATE audit SET result = 'refused' WHERE result = 'rejected';
