-- 0004_catalog (down): tables take their indexes, triggers and policies with them.
SET ROLE app_owner;
DROP TABLE app.coupons;
DROP TABLE app.product_categories;
DROP TABLE app.categories;
DROP TABLE app.products;
DROP TABLE app.customers;
RESET ROLE;
