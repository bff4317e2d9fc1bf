-- 0005_orders: synced orders and their line items. The (store_id, placed_at) index carries
-- the totals (INCLUDE) so revenue-over-time queries are answered from the index alone.
SET ROLE app_owner;

CREATE TABLE app.orders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    order_number text NULL,
    customer_id uuid NULL,
    customer_external_id text NULL,
    currency_code text NOT NULL
        CONSTRAINT orders_currency_code_check CHECK (currency_code ~ '^[A-Z]{3}$'),
    presentment_currency_code text NULL
        CONSTRAINT orders_presentment_currency_code_check CHECK (presentment_currency_code ~ '^[A-Z]{3}$'),
    presentment_total_amount numeric(20, 6) NULL
        CONSTRAINT orders_presentment_total_amount_check CHECK (presentment_total_amount >= 0),
    subtotal_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT orders_subtotal_amount_check CHECK (subtotal_amount >= 0),
    discount_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT orders_discount_amount_check CHECK (discount_amount >= 0),
    shipping_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT orders_shipping_amount_check CHECK (shipping_amount >= 0),
    tax_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT orders_tax_amount_check CHECK (tax_amount >= 0),
    total_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT orders_total_amount_check CHECK (total_amount >= 0),
    refunded_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT orders_refunded_amount_check CHECK (refunded_amount >= 0),
    taxes_included boolean NOT NULL DEFAULT false,
    financial_status text NOT NULL
        CONSTRAINT orders_financial_status_check CHECK (financial_status IN (
            'pending', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded',
            'voided', 'expired', 'failed', 'unknown'
        )),
    fulfillment_status text NOT NULL DEFAULT 'unfulfilled'
        CONSTRAINT orders_fulfillment_status_check CHECK (fulfillment_status IN (
            'unfulfilled', 'partially_fulfilled', 'fulfilled', 'restocked', 'unknown'
        )),
    platform_status text NULL,
    source_name text NULL,
    discount_codes text[] NOT NULL DEFAULT '{}',
    is_test boolean NOT NULL DEFAULT false,
    placed_at timestamptz NOT NULL,
    paid_at timestamptz NULL,
    fulfilled_at timestamptz NULL,
    cancelled_at timestamptz NULL,
    last_refunded_at timestamptz NULL,
    cancel_reason text NULL,
    platform_created_at timestamptz NULL,
    platform_updated_at timestamptz NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT orders_store_id_external_id_key UNIQUE (store_id, external_id),
    CONSTRAINT orders_customer_fkey FOREIGN KEY (store_id, customer_id)
        REFERENCES app.customers (store_id, id) ON DELETE SET NULL (customer_id)
);
COMMENT ON TABLE app.orders IS 'saas-api: orders synced from the platform, amounts in the shop currency';
CREATE INDEX orders_store_id_placed_at_idx ON app.orders (store_id, placed_at)
    INCLUDE (total_amount, refunded_amount, currency_code);
-- Also serves the (store_id, customer_id) foreign key.
CREATE INDEX orders_store_id_customer_id_placed_at_idx ON app.orders (store_id, customer_id, placed_at);
CREATE INDEX orders_store_id_platform_updated_at_idx ON app.orders (store_id, platform_updated_at);

CREATE TABLE app.order_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    order_id uuid NOT NULL,
    product_id uuid NULL,
    product_external_id text NULL,
    variant_external_id text NULL,
    title text NOT NULL,
    variant_title text NULL,
    sku text NULL,
    vendor text NULL,
    quantity integer NOT NULL
        CONSTRAINT order_items_quantity_check CHECK (quantity >= 0),
    refunded_quantity integer NOT NULL DEFAULT 0
        CONSTRAINT order_items_refunded_quantity_check CHECK (refunded_quantity BETWEEN 0 AND quantity),
    unit_price numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT order_items_unit_price_check CHECK (unit_price >= 0),
    discount_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT order_items_discount_amount_check CHECK (discount_amount >= 0),
    tax_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT order_items_tax_amount_check CHECK (tax_amount >= 0),
    total_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT order_items_total_amount_check CHECK (total_amount >= 0),
    refunded_amount numeric(20, 6) NOT NULL DEFAULT 0
        CONSTRAINT order_items_refunded_amount_check CHECK (refunded_amount >= 0),
    is_gift_card boolean NOT NULL DEFAULT false,
    platform_created_at timestamptz NULL,
    platform_updated_at timestamptz NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT order_items_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT order_items_store_id_external_id_key UNIQUE (store_id, external_id),
    CONSTRAINT order_items_order_fkey FOREIGN KEY (store_id, order_id)
        REFERENCES app.orders (store_id, id) ON DELETE CASCADE,
    CONSTRAINT order_items_product_fkey FOREIGN KEY (store_id, product_id)
        REFERENCES app.products (store_id, id) ON DELETE SET NULL (product_id)
);
COMMENT ON TABLE app.order_items IS 'saas-api: order lines with a snapshot of the product as sold';
CREATE INDEX order_items_store_id_order_id_idx ON app.order_items (store_id, order_id);
CREATE INDEX order_items_store_id_product_id_idx ON app.order_items (store_id, product_id);
CREATE INDEX order_items_store_id_sku_idx ON app.order_items (store_id, sku);

CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.orders
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.order_items
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.orders FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());
ALTER TABLE app.order_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.order_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.order_items FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());

RESET ROLE;
