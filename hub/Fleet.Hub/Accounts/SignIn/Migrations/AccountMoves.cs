namespace Fleet.Hub.Accounts.SignIn.Migrations;

/// <summary>The names the <c>OneAccountDirectory</c> migration gives old API accounts that cannot keep theirs, on
/// SQLite and on PostgreSQL alike. The two old stores had separate namespaces, so one name can be held by a UI user
/// and by an API account of another role; API account names could differ only in case; and the name <c>hub</c>, which
/// the audit log now uses for the hub's own actions, was free. Such an API account moves, in this order of choice, to
/// <c>NAME-api</c>, <c>NAME-api-ID</c> (ID: its old account number), or <c>api-ID-RANDOM</c>: each only if no user,
/// no other API account and no other moved account holds it (case-insensitively), and each at most 64 characters. A
/// UI user named <c>hub</c> becomes <c>hub-user</c>. If a name is still shared after that, the upgrade stops with
/// <see cref="Refusal"/> and changes nothing: no account ever gains another's role or tokens.</summary>
internal static class AccountMoves
{
    /// <summary>The start of the error the migration raises when names still collide; the hub reports it as is.</summary>
    public const string Refusal = "account upgrade refused";

    private const string Message = Refusal + ": after moving API accounts to free names, two accounts still share a name"
        + " (or users named hub and hub-user both exist). Rename one with the previous release (its Users page or fleet user), then start this release again.";

    public const string Sqlite = $$"""
        CREATE TEMP TABLE "AccountMoveRefusal" ("Name" TEXT);
        CREATE TEMP TRIGGER "AccountMoveRefused" BEFORE INSERT ON "AccountMoveRefusal" BEGIN SELECT RAISE(ABORT, '{{Message}}'); END;
        INSERT INTO "AccountMoveRefusal" SELECT 'hub-user' WHERE EXISTS (SELECT 1 FROM "AspNetUsers" WHERE "NormalizedUserName" = 'HUB')
          AND EXISTS (SELECT 1 FROM "AspNetUsers" WHERE "NormalizedUserName" = 'HUB-USER');
        UPDATE "AspNetUsers" SET "UserName" = 'hub-user', "NormalizedUserName" = 'HUB-USER' WHERE "NormalizedUserName" = 'HUB';

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
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM "AspNetUsers" WHERE "NormalizedUserName" = 'HUB')
             AND EXISTS (SELECT 1 FROM "AspNetUsers" WHERE "NormalizedUserName" = 'HUB-USER') THEN
            RAISE EXCEPTION '{{Message}}';
          END IF;
        END $$;
        UPDATE "AspNetUsers" SET "UserName" = 'hub-user', "NormalizedUserName" = 'HUB-USER' WHERE "NormalizedUserName" = 'HUB';

        CREATE TEMP TABLE "AccountMoves" ("Id" integer PRIMARY KEY, "First" text NOT NULL, "Second" text NOT NULL, "NewName" text) ON COMMIT DROP;
        INSERT INTO "AccountMoves" ("Id", "First", "Second")
        SELECT a."Id", substr(a."Name", 1, 60) || '-api', substr(a."Name", 1, 40) || '-api-' || a."Id"
        FROM "Accounts" a
        WHERE upper(a."Name") = 'HUB'
           OR EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper(a."Name") AND b."Id" < a."Id")
           OR EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(a."Name") AND u."Role" IS DISTINCT FROM a."Role");
        UPDATE "AccountMoves" SET "NewName" = CASE
          WHEN upper("First") <> 'HUB'
           AND NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper("AccountMoves"."First"))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper("AccountMoves"."First"))
           AND NOT EXISTS (SELECT 1 FROM "AccountMoves" m WHERE upper(m."First") = upper("AccountMoves"."First") AND m."Id" <> "AccountMoves"."Id")
          THEN "First"
          WHEN NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper("AccountMoves"."Second"))
           AND NOT EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper("AccountMoves"."Second"))
          THEN "Second"
          ELSE 'api-' || "Id" || '-' || substr(md5(random()::text || clock_timestamp()::text), 1, 12) END;
        UPDATE "Accounts" SET "Name" = m."NewName" FROM "AccountMoves" m WHERE m."Id" = "Accounts"."Id";

        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM "Accounts" a
                     WHERE upper(a."Name") = 'HUB'
                        OR EXISTS (SELECT 1 FROM "Accounts" b WHERE upper(b."Name") = upper(a."Name") AND b."Id" <> a."Id")
                        OR EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(a."Name") AND u."Role" IS DISTINCT FROM a."Role")) THEN
            RAISE EXCEPTION '{{Message}}';
          END IF;
        END $$;
        """;
}
