namespace Fleet.Hub.Accounts.SignIn.Migrations;

/// <summary>The names the <c>OneAccountDirectory</c> migration gives old API accounts that cannot keep theirs, on
/// SQLite and on PostgreSQL alike. The two old stores had separate namespaces, so one name can be held by a UI user
/// and by an API account of another role; API account names could differ only in case; and the name <c>hub</c>, which
/// the audit log now uses for the hub's own actions, was free. Such an API account moves, in this order of choice, to
/// <c>NAME-api</c>, <c>NAME-api-ID</c> (ID: its old account number), or <c>api-ID-RANDOM</c>: each only if no user,
/// no other API account and no other moved account holds it (case-insensitively), and each at most 64 characters. A
/// UI user named <c>hub</c> moves the same way, to <c>hub-user</c>, <c>hub-user-ID</c> (the first 8 characters of its
/// id) or <c>user-RANDOM</c>. A name still shared after that (only a random name meeting an existing one could do it)
/// stops the upgrade with <see cref="Refusal"/>: the account migration rolls back, and no account ever gains another's
/// role or tokens. On PostgreSQL names are upper-cased under the "C" collation, as .NET's invariant rules do for the
/// ASCII names the old release allowed, whatever the database's locale.</summary>
internal static class AccountMoves
{
    /// <summary>The start of the error the migration raises when names still collide; the hub reports it as is.</summary>
    public const string Refusal = "account upgrade refused";

    private const string Message = Refusal + ": after moving accounts to free names, two accounts still share a name; the account migration rolled back"
        + " and changed no account. Start the hub again: the free names are drawn anew.";

    public const string Sqlite = $$"""
        CREATE TEMP TABLE "AccountMoveRefusal" ("Name" TEXT);
        CREATE TEMP TRIGGER "AccountMoveRefused" BEFORE INSERT ON "AccountMoveRefusal" BEGIN SELECT RAISE(ABORT, '{{Message}}'); END;
        UPDATE "AspNetUsers" SET "UserName" = CASE
          WHEN NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = 'HUB-USER')
           AND NOT EXISTS (SELECT 1 FROM "Accounts" a WHERE upper(a."Name") = 'HUB-USER')
          THEN 'hub-user'
          WHEN NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper('hub-user-' || substr("AspNetUsers"."Id", 1, 8)))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" a WHERE upper(a."Name") = upper('hub-user-' || substr("AspNetUsers"."Id", 1, 8)))
          THEN 'hub-user-' || substr("Id", 1, 8)
          ELSE 'user-' || lower(hex(randomblob(6))) END
        WHERE "NormalizedUserName" = 'HUB';
        UPDATE "AspNetUsers" SET "NormalizedUserName" = upper("UserName") WHERE "NormalizedUserName" = 'HUB';

        CREATE TEMP TABLE "AccountMoves" ("Id" INTEGER PRIMARY KEY, "First" TEXT NOT NULL, "Second" TEXT NOT NULL, "NewName" TEXT);
        INSERT INTO "AccountMoves" ("Id", "First", "Second")
        SELECT a."Id", substr(a."Name", 1, 60) || '-api', substr(a."Name", 1, 40) || '-api-' || a."Id"
        FROM "Accounts" a
        WHERE upper(a."Name") = 'HUB'
           OR EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper(a."Name") AND b."Id" < a."Id")
           OR EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(a."Name") AND u."Role" IS NOT a."Role");
        UPDATE "AccountMoves" SET "NewName" = CASE
          WHEN upper("First") <> 'HUB'
           AND NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper("AccountMoves"."First"))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper("AccountMoves"."First"))
           AND NOT EXISTS (SELECT 1 FROM "AccountMoves" m WHERE upper(m."First") = upper("AccountMoves"."First") AND m."Id" <> "AccountMoves"."Id")
          THEN "First"
          WHEN NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper("AccountMoves"."Second"))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper("AccountMoves"."Second"))
          THEN "Second"
          ELSE 'api-' || "Id" || '-' || lower(hex(randomblob(6))) END;
        UPDATE "Accounts" SET "Name" = (SELECT m."NewName" FROM "AccountMoves" m WHERE m."Id" = "Accounts"."Id")
        WHERE "Id" IN (SELECT "Id" FROM "AccountMoves");

        INSERT INTO "AccountMoveRefusal" SELECT a."Name" FROM "Accounts" a
        WHERE upper(a."Name") = 'HUB'
           OR EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper(a."Name") AND b."Id" <> a."Id")
           OR EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(a."Name") AND u."Role" IS NOT a."Role");
        DROP TABLE "AccountMoves";
        DROP TRIGGER "AccountMoveRefused";
        DROP TABLE "AccountMoveRefusal";
        """;

    public const string Postgres = $$"""
        UPDATE "AspNetUsers" SET "UserName" = CASE
          WHEN NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = 'HUB-USER')
           AND NOT EXISTS (SELECT 1 FROM "Accounts" a WHERE upper((a."Name") COLLATE "C") = 'HUB-USER')
          THEN 'hub-user'
          WHEN NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(('hub-user-' || substr("AspNetUsers"."Id", 1, 8)) COLLATE "C"))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" a WHERE upper((a."Name") COLLATE "C") = upper(('hub-user-' || substr("AspNetUsers"."Id", 1, 8)) COLLATE "C"))
          THEN 'hub-user-' || substr("Id", 1, 8)
          ELSE 'user-' || substr(md5(random()::text || clock_timestamp()::text), 1, 12) END
        WHERE "NormalizedUserName" = 'HUB';
        UPDATE "AspNetUsers" SET "NormalizedUserName" = upper(("UserName") COLLATE "C") WHERE "NormalizedUserName" = 'HUB';

        CREATE TEMP TABLE "AccountMoves" ("Id" integer PRIMARY KEY, "First" text NOT NULL, "Second" text NOT NULL, "NewName" text) ON COMMIT DROP;
        INSERT INTO "AccountMoves" ("Id", "First", "Second")
        SELECT a."Id", substr(a."Name", 1, 60) || '-api', substr(a."Name", 1, 40) || '-api-' || a."Id"
        FROM "Accounts" a
        WHERE upper((a."Name") COLLATE "C") = 'HUB'
           OR EXISTS (SELECT 1 FROM "Accounts" b WHERE upper((b."Name") COLLATE "C") = upper((a."Name") COLLATE "C") AND b."Id" < a."Id")
           OR EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper((a."Name") COLLATE "C") AND u."Role" IS DISTINCT FROM a."Role");
        UPDATE "AccountMoves" SET "NewName" = CASE
          WHEN upper(("First") COLLATE "C") <> 'HUB'
           AND NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(("AccountMoves"."First") COLLATE "C"))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" b WHERE upper((b."Name") COLLATE "C") = upper(("AccountMoves"."First") COLLATE "C"))
           AND NOT EXISTS (SELECT 1 FROM "AccountMoves" m WHERE upper((m."First") COLLATE "C") = upper(("AccountMoves"."First") COLLATE "C") AND m."Id" <> "AccountMoves"."Id")
          THEN "First"
          WHEN NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(("AccountMoves"."Second") COLLATE "C"))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" b WHERE upper((b."Name") COLLATE "C") = upper(("AccountMoves"."Second") COLLATE "C"))
          THEN "Second"
          ELSE 'api-' || "Id" || '-' || substr(md5(random()::text || clock_timestamp()::text), 1, 12) END;
        UPDATE "Accounts" SET "Name" = m."NewName" FROM "AccountMoves" m WHERE m."Id" = "Accounts"."Id";

        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM "Accounts" a
                     WHERE upper((a."Name") COLLATE "C") = 'HUB'
                        OR EXISTS (SELECT 1 FROM "Accounts" b WHERE upper((b."Name") COLLATE "C") = upper((a."Name") COLLATE "C") AND b."Id" <> a."Id")
                        OR EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper((a."Name") COLLATE "C") AND u."Role" IS DISTINCT FROM a."Role")) THEN
            RAISE EXCEPTION '{{Message}}';
          END IF;
        END $$;
        """;
}
