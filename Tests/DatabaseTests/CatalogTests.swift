import Database
import Shared
import TestSupport
import Testing

/// Case 6 of datamodel.md, and the DBA rules around it, read from the catalog.
@Suite("Catalog", .migratedDatabase)
struct CatalogTests {
    private let admin: PostgresConnection

    init() throws {
        self.admin = try #require(TestDatabase.current).connect(.admin)
    }

    private func rows(_ sql: String) throws -> [[String?]] {
        try self.admin.query(sql, timeout: .seconds(10)).rows
    }

    @Test func everyTableHasRowSecurityEnabledForcedAndTheTenantPolicy() throws {
        let tables = try self.rows(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
                   p.cmd, p.qual, p.with_check
            FROM pg_class c
            LEFT JOIN pg_policies p ON p.schemaname = 'app' AND p.tablename = c.relname
                                   AND p.policyname = 'tenant_isolation'
            WHERE c.relnamespace = 'app'::regnamespace AND c.relkind IN ('r', 'p')
            ORDER BY c.relname
            """
        )
        #expect(tables.map { $0[0] ?? "" } == SeededStore.tables.sorted())
        for row in tables {
            let table = row[0] ?? ""
            let key = table == "stores" ? "id" : "store_id"
            #expect(row[1] == "t" && row[2] == "t", "\(table): row security enabled and forced")
            #expect(row[3] == "app_owner", "\(table) owned by app_owner")
            #expect(row[4] == "ALL", "\(table): tenant_isolation FOR ALL")
            #expect(row[5] == "(\(key) = app.current_store_id())", "\(table) USING")
            #expect(row[6] == "(\(key) = app.current_store_id())", "\(table) WITH CHECK")
        }
        let views = try self.rows(
            """
            SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'v'
              AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
            """
        )
        #expect(views.isEmpty, "views must be security_invoker")
    }

    @Test func appRolesAreNeitherOwnersNorSuperusersNorBypassRLS() throws {
        let roles = try self.rows(
            """
            SELECT rolname, rolsuper, rolbypassrls, rolcanlogin, pg_has_role(rolname, 'app_owner', 'MEMBER')
            FROM pg_roles WHERE rolname IN ('app_rw', 'app_ro') ORDER BY rolname
            """
        )
        #expect(roles.map { $0[0] } == ["app_ro", "app_rw"])
        for role in roles {
            #expect(role[1] == "f" && role[2] == "f", "\(role[0] ?? ""): no SUPERUSER, no BYPASSRLS")
            #expect(role[3] == "t", "\(role[0] ?? "") can log in")
            #expect(role[4] == "f", "\(role[0] ?? "") is not a member of app_owner")
        }
        let owned = try self.rows(
            """
            SELECT 'class ' || relname FROM pg_class
             WHERE relnamespace = 'app'::regnamespace AND pg_get_userbyid(relowner) <> 'app_owner'
            UNION ALL SELECT 'function ' || proname FROM pg_proc
             WHERE pronamespace = 'app'::regnamespace AND pg_get_userbyid(proowner) <> 'app_owner'
            UNION ALL SELECT 'schema app' FROM pg_namespace
             WHERE nspname = 'app' AND pg_get_userbyid(nspowner) <> 'app_owner'
            """
        )
        #expect(owned.isEmpty, "objects not owned by app_owner: \(owned)")
        #expect(try self.rows("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'app_owner'") == [["f"]])
    }

    @Test func appRolesHaveNoTruncateReferencesOrTriggerPrivilege() throws {
        let granted = try self.rows(
            """
            SELECT grantee, table_name, privilege_type FROM information_schema.table_privileges
            WHERE table_schema = 'app' AND grantee IN ('app_rw', 'app_ro')
              AND privilege_type NOT IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
            """
        )
        #expect(granted.isEmpty, "\(granted)")
        let roWrites = try self.rows(
            """
            SELECT table_name, privilege_type FROM information_schema.table_privileges
            WHERE table_schema = 'app' AND grantee = 'app_ro' AND privilege_type <> 'SELECT'
            """
        )
        #expect(roWrites.isEmpty, "\(roWrites)")
    }

    @Test func everyForeignKeyBetweenTenantTablesIncludesStoreId() throws {
        let keys = try self.rows(
            """
            SELECT con.conname, con.confrelid::regclass::text,
                   (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n)::text,
                   (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n)::text,
                   con.confdeltype,
                   EXISTS (SELECT FROM pg_index ix WHERE ix.indrelid = con.conrelid
                           AND (ix.indkey::int2[])[0:cardinality(con.conkey) - 1] = con.conkey)
            FROM pg_constraint con
            WHERE con.contype = 'f' AND con.connamespace = 'app'::regnamespace
            ORDER BY 1
            """
        )
        #expect(keys.count >= 20)
        for key in keys {
            let name = key[0] ?? ""
            if key[1] == "app.stores" {
                #expect(key[2] == "{store_id}" && key[3] == "{id}" && key[4] == "c", "\(name): store_id CASCADE")
            } else {
                #expect(key[2]?.hasPrefix("{store_id,") == true, "\(name) starts with store_id: \(key[2] ?? "")")
                #expect(key[3] == "{store_id,id}", "\(name) references (store_id, id)")
            }
            #expect(key[5] == "t", "\(name) has an index on its columns")
        }
        let tenantTables = try self.rows(
            """
            SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'r'
              AND c.relname <> 'stores' AND NOT EXISTS (
                SELECT FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'f'
                  AND con.confrelid = 'app.stores'::regclass)
            """
        )
        #expect(tenantTables.isEmpty, "tables without a store_id key to stores: \(tenantTables)")
    }

    @Test func optionalReferencesNullOnlyTheirOwnColumn() throws {
        // ON DELETE SET NULL (x_id): a plain SET NULL would null store_id too.
        let setNull = try self.rows(
            """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'app'::regnamespace AND contype = 'f' AND confdeltype = 'n'
            ORDER BY 1
            """
        )
        #expect(setNull.count == 5)
        for key in setNull {
            #expect(key[1]?.contains("ON DELETE SET NULL (") == true, "\(key[0] ?? ""): \(key[1] ?? "")")
        }
    }

    @Test func everyMutableTableHasTheUpdatedAtTriggerComparingEveryColumn() throws {
        let triggers = try self.rows(
            """
            SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid),
                   (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')
            FROM pg_class c
            LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
            WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'r'
            ORDER BY 1
            """
        )
        for row in triggers {
            let table = row[0] ?? ""
            if table == "conversation_messages" {
                #expect(row[1] == nil, "append-only table has no update trigger")
                continue
            }
            #expect(row[1] == "set_updated_at", "\(table) has set_updated_at")
            let definition = row[2] ?? ""
            if definition.contains("(old.* IS DISTINCT FROM new.*)") { continue }
            // sync_logs lists its columns (a generated column forbids NEW.*): all of them.
            let columns = (row[3] ?? "").trimmingCharacters(in: ["{", "}"]).split(separator: ",")
            for column in columns {
                #expect(
                    definition.contains("old.\(column)") && definition.contains("new.\(column)"),
                    "\(table).\(column)"
                )
            }
        }
    }
}
