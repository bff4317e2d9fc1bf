-- 0007_sync_logs (down)
SET ROLE app_owner;
DROP TABLE app.sync_logs;
RESET ROLE;
