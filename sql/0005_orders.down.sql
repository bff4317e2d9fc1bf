-- 0005_orders (down)
SET ROLE app_owner;
DROP TABLE app.order_items;
DROP TABLE app.orders;
RESET ROLE;
