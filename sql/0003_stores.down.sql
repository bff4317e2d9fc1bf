-- 0003_stores (down): the table takes its trigger and policy with it.
SET ROLE app_owner;
DROP TABLE app.stores;
RESET ROLE;
