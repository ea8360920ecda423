using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Fleet.Hub.Storage.Postgres.SignInMigrations
{
    /// <inheritdoc />
    public partial class OneAccountDirectory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CreatedAt",
                table: "AspNetUsers",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<bool>(
                name: "Disabled",
                table: "AspNetUsers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Role",
                table: "AspNetUsers",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            // The role was a claim (fleet:role); it is a column now. Users made before this release get the upgrade's
            // time as their creation time (HubDb's DateTimeOffset encoding: (ticks / 1000) << 11, offset 0).
            migrationBuilder.Sql("""
                UPDATE "AspNetUsers" SET
                  "Role" = COALESCE((SELECT c."ClaimValue" FROM "AspNetUserClaims" c
                                     WHERE c."UserId" = "AspNetUsers"."Id" AND c."ClaimType" = 'fleet:role' ORDER BY c."Id" LIMIT 1), ''),
                  "CreatedAt" = ((floor(extract(epoch from now()))::bigint * 10000 + 621355968000000) << 11);
                DELETE FROM "AspNetUserClaims" WHERE "ClaimType" = 'fleet:role';
                """);

            migrationBuilder.CreateTable(
                name: "AccountTokens",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Hash = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: true),
                    LastUsedAt = table.Column<long>(type: "bigint", nullable: true),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountTokens_Hash",
                table: "AccountTokens",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountTokens_UserId_Name",
                table: "AccountTokens",
                columns: new[] { "UserId", "Name" });

            // The API accounts, in the old Accounts/ApiTokens tables that HubDb's first migration made (HubDb is
            // migrated first, so they exist even in a new database), move into the one account directory. A name in
            // both stores with the same role becomes one user: the UI user's password and the API account's tokens (the
            // two first-start admins merge so). With different roles they were two people (the stores had separate
            // namespaces), so the API account moves to a free name and keeps its role and tokens: nobody gains a role,
            // no token changes what it may do. Token hashes move as they are and never expire: existing tokens keep
            // working. See AccountMoves for the names chosen.
            migrationBuilder.Sql(Fleet.Hub.Accounts.SignIn.Migrations.AccountMoves.Postgres);
            migrationBuilder.Sql("""
                INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp",
                                           "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "Role", "Disabled", "CreatedAt")
                SELECT md5(random()::text || clock_timestamp()::text), a."Name", upper(a."Name" COLLATE "C"), false, upper(md5(random()::text || clock_timestamp()::text)), md5(random()::text || clock_timestamp()::text), false, false, true, 0, a."Role", false, a."CreatedAt"
                FROM "Accounts" a
                WHERE NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(a."Name" COLLATE "C"));
                UPDATE "AspNetUsers" SET "CreatedAt" = (SELECT a."CreatedAt" FROM "Accounts" a WHERE upper(a."Name" COLLATE "C") = "AspNetUsers"."NormalizedUserName")
                WHERE EXISTS (SELECT 1 FROM "Accounts" a WHERE upper(a."Name" COLLATE "C") = "AspNetUsers"."NormalizedUserName");
                INSERT INTO "AccountTokens" ("UserId", "Name", "Hash", "CreatedAt", "ExpiresAt", "LastUsedAt", "RevokedAt")
                SELECT u."Id", t."Name", t."Hash", t."CreatedAt", NULL, NULL, t."RevokedAt"
                FROM "ApiTokens" t
                JOIN "Accounts" a ON a."Id" = t."AccountId"
                JOIN "AspNetUsers" u ON u."NormalizedUserName" = upper(a."Name" COLLATE "C");
                """);

            migrationBuilder.DropTable(
                name: "ApiTokens");

            migrationBuilder.DropTable(
                name: "Accounts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountTokens");

            migrationBuilder.DropColumn(
                name: "CreatedAt",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "Disabled",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "Role",
                table: "AspNetUsers");
        }
    }
}
