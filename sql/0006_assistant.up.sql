-- 0006_assistant: the AI assistant's conversations, their append-only messages and the
-- charts users save from them.
SET ROLE app_owner;

CREATE TABLE app.conversations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    title text NULL,
    created_by text NULL,
    status text NOT NULL DEFAULT 'active'
        CONSTRAINT conversations_status_check CHECK (status IN ('active', 'archived')),
    llm_model text NULL,
    message_count integer NOT NULL DEFAULT 0
        CONSTRAINT conversations_message_count_check CHECK (message_count >= 0),
    last_message_at timestamptz NULL,
    input_tokens bigint NOT NULL DEFAULT 0
        CONSTRAINT conversations_input_tokens_check CHECK (input_tokens >= 0),
    output_tokens bigint NOT NULL DEFAULT 0
        CONSTRAINT conversations_output_tokens_check CHECK (output_tokens >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversations_store_id_id_key UNIQUE (store_id, id)
);
COMMENT ON TABLE app.conversations IS 'saas-api: AI assistant chats';
CREATE INDEX conversations_store_id_last_message_at_idx ON app.conversations (store_id, last_message_at DESC);

-- Append-only: created_at only, no updated_at trigger, and app_rw may not UPDATE or DELETE
-- (rows go away with their conversation or store, through the cascades).
CREATE TABLE app.conversation_messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL,
    seq integer NOT NULL
        CONSTRAINT conversation_messages_seq_check CHECK (seq >= 1),
    role text NOT NULL
        CONSTRAINT conversation_messages_role_check CHECK (role IN ('user', 'assistant', 'tool', 'system')),
    content jsonb NOT NULL
        CONSTRAINT conversation_messages_content_check CHECK (jsonb_typeof(content) IN ('object', 'array')),
    generated_sql text NULL,
    sql_row_count integer NULL
        CONSTRAINT conversation_messages_sql_row_count_check CHECK (sql_row_count >= 0),
    sql_duration_ms integer NULL
        CONSTRAINT conversation_messages_sql_duration_ms_check CHECK (sql_duration_ms >= 0),
    sql_error text NULL,
    chart_spec jsonb NULL
        CONSTRAINT conversation_messages_chart_spec_check CHECK (jsonb_typeof(chart_spec) = 'object'),
    input_tokens integer NULL
        CONSTRAINT conversation_messages_input_tokens_check CHECK (input_tokens >= 0),
    output_tokens integer NULL
        CONSTRAINT conversation_messages_output_tokens_check CHECK (output_tokens >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversation_messages_store_id_id_key UNIQUE (store_id, id),
    -- Also serves the (store_id, conversation_id) foreign key.
    CONSTRAINT conversation_messages_store_id_conversation_id_seq_key UNIQUE (store_id, conversation_id, seq),
    CONSTRAINT conversation_messages_conversation_fkey FOREIGN KEY (store_id, conversation_id)
        REFERENCES app.conversations (store_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app.conversation_messages IS 'saas-api: the messages of a conversation, append-only';
REVOKE UPDATE, DELETE ON app.conversation_messages FROM app_rw;

CREATE TABLE app.saved_charts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    conversation_id uuid NULL,
    message_id uuid NULL,
    title text NOT NULL
        CONSTRAINT saved_charts_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    description text NULL,
    spec_format text NOT NULL DEFAULT 'vega-lite',
    spec jsonb NOT NULL
        CONSTRAINT saved_charts_spec_check CHECK (jsonb_typeof(spec) = 'object'),
    query_sql text NOT NULL,
    query_params jsonb NOT NULL DEFAULT '{}',
    result_snapshot jsonb NULL,
    snapshot_at timestamptz NULL,
    created_by text NULL,
    pinned boolean NOT NULL DEFAULT false,
    position integer NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_charts_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT saved_charts_snapshot_check CHECK ((result_snapshot IS NULL) = (snapshot_at IS NULL)),
    CONSTRAINT saved_charts_conversation_fkey FOREIGN KEY (store_id, conversation_id)
        REFERENCES app.conversations (store_id, id) ON DELETE SET NULL (conversation_id),
    CONSTRAINT saved_charts_message_fkey FOREIGN KEY (store_id, message_id)
        REFERENCES app.conversation_messages (store_id, id) ON DELETE SET NULL (message_id)
);
COMMENT ON TABLE app.saved_charts IS 'saas-api: charts saved from the assistant, with the query that feeds them';
CREATE INDEX saved_charts_store_id_conversation_id_idx ON app.saved_charts (store_id, conversation_id);
CREATE INDEX saved_charts_store_id_message_id_idx ON app.saved_charts (store_id, message_id);
CREATE INDEX saved_charts_store_id_pinned_position_idx ON app.saved_charts (store_id, pinned, position);

CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.conversations
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.saved_charts
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE app.conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.conversations FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());
ALTER TABLE app.conversation_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.conversation_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.conversation_messages FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());
ALTER TABLE app.saved_charts ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.saved_charts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.saved_charts FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());

RESET ROLE;
