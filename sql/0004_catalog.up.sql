-- 0004_catalog: synced customers, products, categories (WooCommerce categories and Shopify
-- collections), the product/category links and coupons.
-- Every reference between tenant tables is a two-column key (store_id, x_id), so a row can
-- never point at another store's row: foreign-key checks bypass row security.
SET ROLE app_owner;

CREATE TABLE app.customers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    email text NULL,
    first_name text NULL,
    last_name text NULL,
    country_code text NULL
        CONSTRAINT customers_country_code_check CHECK (country_code ~ '^[A-Z]{2}$'),
    region text NULL,
    city text NULL,
    accepts_marketing boolean NOT NULL DEFAULT false,
    tags text[] NOT NULL DEFAULT '{}',
    platform_orders_count integer NULL
        CONSTRAINT customers_platform_orders_count_check CHECK (platform_orders_count >= 0),
    platform_total_spent numeric(20, 6) NULL
        CONSTRAINT customers_platform_total_spent_check CHECK (platform_total_spent >= 0),
    first_order_at timestamptz NULL,
    last_order_at timestamptz NULL,
    platform_created_at timestamptz NULL,
    platform_updated_at timestamptz NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT customers_store_id_external_id_key UNIQUE (store_id, external_id)
);
CREATE INDEX customers_store_id_lower_email_idx ON app.customers (store_id, lower(email));
CREATE INDEX customers_store_id_platform_created_at_idx ON app.customers (store_id, platform_created_at);

CREATE TABLE app.products (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    title text NOT NULL,
    handle text NULL,
    vendor text NULL,
    product_type text NULL,
    status text NOT NULL
        CONSTRAINT products_status_check CHECK (status IN ('active', 'draft', 'archived')),
    price_min numeric(20, 6) NULL
        CONSTRAINT products_price_min_check CHECK (price_min >= 0),
    price_max numeric(20, 6) NULL
        CONSTRAINT products_price_max_check CHECK (price_max >= 0),
    unit_cost numeric(20, 6) NULL
        CONSTRAINT products_unit_cost_check CHECK (unit_cost >= 0),
    inventory_quantity integer NULL,
    platform_deleted_at timestamptz NULL,
    platform_created_at timestamptz NULL,
    platform_updated_at timestamptz NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT products_store_id_external_id_key UNIQUE (store_id, external_id),
    CONSTRAINT products_price_range_check CHECK (price_max >= price_min)
);

CREATE TABLE app.categories (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    name text NOT NULL,
    handle text NULL,
    kind text NOT NULL
        CONSTRAINT categories_kind_check CHECK (kind IN ('category', 'collection')),
    parent_id uuid NULL,
    platform_created_at timestamptz NULL,
    platform_updated_at timestamptz NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT categories_store_id_external_id_key UNIQUE (store_id, external_id),
    CONSTRAINT categories_parent_fkey FOREIGN KEY (store_id, parent_id)
        REFERENCES app.categories (store_id, id) ON DELETE SET NULL (parent_id),
    CONSTRAINT categories_parent_not_self_check CHECK (parent_id <> id)
);
CREATE INDEX categories_store_id_parent_id_idx ON app.categories (store_id, parent_id);

CREATE TABLE app.product_categories (
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    product_id uuid NOT NULL,
    category_id uuid NOT NULL,
    position integer NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, product_id, category_id),
    CONSTRAINT product_categories_product_fkey FOREIGN KEY (store_id, product_id)
        REFERENCES app.products (store_id, id) ON DELETE CASCADE,
    CONSTRAINT product_categories_category_fkey FOREIGN KEY (store_id, category_id)
        REFERENCES app.categories (store_id, id) ON DELETE CASCADE
);
CREATE INDEX product_categories_store_id_category_id_idx ON app.product_categories (store_id, category_id);

CREATE TABLE app.coupons (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    code text NOT NULL,
    external_rule_id text NULL,
    discount_type text NOT NULL
        CONSTRAINT coupons_discount_type_check
        CHECK (discount_type IN ('percentage', 'fixed_amount', 'free_shipping', 'buy_x_get_y', 'other')),
    value numeric(20, 6) NULL
        CONSTRAINT coupons_value_check CHECK (value >= 0),
    minimum_subtotal numeric(20, 6) NULL
        CONSTRAINT coupons_minimum_subtotal_check CHECK (minimum_subtotal >= 0),
    starts_at timestamptz NULL,
    ends_at timestamptz NULL,
    usage_count integer NOT NULL DEFAULT 0
        CONSTRAINT coupons_usage_count_check CHECK (usage_count >= 0),
    usage_limit integer NULL
        CONSTRAINT coupons_usage_limit_check CHECK (usage_limit > 0),
    platform_status text NULL,
    platform_created_at timestamptz NULL,
    platform_updated_at timestamptz NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT coupons_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT coupons_store_id_external_id_key UNIQUE (store_id, external_id),
    CONSTRAINT coupons_percentage_value_check CHECK (discount_type <> 'percentage' OR value <= 100),
    CONSTRAINT coupons_period_check CHECK (ends_at > starts_at)
);
CREATE INDEX coupons_store_id_lower_code_idx ON app.coupons (store_id, lower(code));

COMMENT ON TABLE app.customers IS 'saas-api: customers synced from the platform';
COMMENT ON TABLE app.products IS 'saas-api: products synced from the platform; deleted ones kept for history';
COMMENT ON TABLE app.categories IS 'saas-api: WooCommerce categories and Shopify collections';
COMMENT ON TABLE app.product_categories IS 'saas-api: which products are in which categories';
COMMENT ON TABLE app.coupons IS 'saas-api: discount codes, one row per code';

CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.customers
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.products
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.categories
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.product_categories
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.coupons
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE app.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.customers FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());
ALTER TABLE app.products ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.products FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.products FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());
ALTER TABLE app.categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.categories FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.categories FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());
ALTER TABLE app.product_categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.product_categories FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.product_categories FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());
ALTER TABLE app.coupons ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.coupons FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.coupons FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());

RESET ROLE;
