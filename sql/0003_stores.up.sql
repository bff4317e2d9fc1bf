-- 0003_stores: the tenant. One row per connected Shopify shop or WooCommerce site.
-- No access tokens here: credentials never share a table with analytics data.
SET ROLE app_owner;

CREATE TABLE app.stores (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    platform text NOT NULL
        CONSTRAINT stores_platform_check CHECK (platform IN ('shopify', 'woocommerce')),
    platform_store_id text NOT NULL,
    name text NOT NULL,
    domain text NULL,
    currency_code text NOT NULL
        CONSTRAINT stores_currency_code_check CHECK (currency_code ~ '^[A-Z]{3}$'),
    timezone text NOT NULL DEFAULT 'UTC',
    status text NOT NULL DEFAULT 'active'
        CONSTRAINT stores_status_check CHECK (status IN ('active', 'paused', 'disconnected', 'uninstalled')),
    installed_at timestamptz NOT NULL DEFAULT now(),
    uninstalled_at timestamptz NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stores_platform_store_id_key UNIQUE (platform, platform_store_id)
);
COMMENT ON TABLE app.stores IS 'saas-api: the tenant; one connected Shopify shop or WooCommerce site';

CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.stores
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE app.stores ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.stores FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.stores FOR ALL
    USING (id = app.current_store_id()) WITH CHECK (id = app.current_store_id());

RESET ROLE;
